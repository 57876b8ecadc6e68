/**
 * Usage rows written on a thread of their own. Inserting a row costs microseconds of synchronous
 * SQLite work, which on the one JavaScript thread every call in flight would wait for; here the
 * main thread only hands a batch over (its distinct calls as JSON, see batch-encoding.ts) and the
 * write thread writes it through a connection of its own (SQLite's locks work between connections
 * of one process as between processes). One thread per process writes every log, one batch of a log
 * at a time. Until the thread has loaded (and optimised its code on rows in memory) and opened the
 * log, the main thread writes. Its replies are taken from the port as soon as they are posted when
 * the event loop does not turn (a loop of hits served from memory), so the next batch goes to the
 * thread rather than being written here.
 *
 * The main thread keeps the batch until it knows how it ended, and whatever must be written now
 * (`flush()`, `close()`, the exit hooks) first waits, blocked, for the batch in flight: it
 * stops the log's state word (see thread-state.ts), so that the batch either ran to its end, and
 * its reply is taken from the port at once, or never will run, and comes back. No row is written
 * twice, and none is lost: a thread that dies gives its batch back unless it said it was written.
 * Where no thread can start, or once it died, the log writes on the main thread, as before.
 * A wait that ends while the batch is still being written (a second: far past the thread's own
 * wait for a lock) leaves it to the thread, which may yet write it; `close()` counts it unwritten.
 *
 * @module
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";
import { startBackgroundThread } from "../sqlite/background-thread.ts";
import { releaseDead, IDLE, STOPPED, stopWhenIdle } from "../sqlite/thread-state.ts";
import { createBatchEncoder } from "./batch-encoding.ts";
import type { FootprintConfig } from "./energy-grid.ts";
import type { PriceOverrides } from "./pricing.ts";
import type { NewUsageRecord } from "./row.ts";
import {
  CANCELLED_WORD,
  CLOSE_MESSAGE,
  CLOSED_WORD,
  committingRow,
  DONE_WORD,
  OPEN_MESSAGE,
  OPENED_MESSAGE,
  OUTCOME_WORD,
  SHARED_WORDS,
  STATE_WORD,
  WRITE_MESSAGE,
  WRITTEN,
  type LogMessage,
  type LogReply,
  type OpenMessage,
  type WriteReply,
} from "./write-protocol.ts";

/** The write thread; `null` once it could not start or failed. */
let worker: Worker | null | undefined;
/** Logs the thread writes, told when it dies. */
const logs = new Set<() => void>();

function writeThread(): Worker | null {
  if (worker !== undefined) return worker;
  const started = startBackgroundThread("write-worker", import.meta.url, () => {
    if (worker === started) worker = null;
    for (const died of [...logs]) died();
  });
  worker = started ?? null;
  return worker;
}

/** The thread that writes usage rows, if it runs: stopping it shows that its logs lose no row. */
export function runningWriteThread(): Worker | undefined {
  return worker ?? undefined;
}

export interface OffThreadWritesOptions {
  path: string;
  pricing: PriceOverrides | undefined;
  /** The main thread's guard's (see shared-memory.ts). */
  sharedMemorySeen: SharedArrayBuffer;
  /**
   * A batch ran to its end on the thread: written (refused rows dropped), or not at all
   * (`reply.fault`). `waited`: its end was waited for ({@link OffThreadWrites.settle}), not received
   * between calls.
   */
  ended(records: NewUsageRecord[], reply: WriteReply, waited: boolean): void;
  /** A batch did not run (taken back, or the thread died first): its rows are the log's again. */
  returned(records: NewUsageRecord[]): void;
  /**
   * Whether the row `rowId` of the log is the call `record`: asked of a batch whose thread died
   * between the start of its commit and its saying so, by its last row inserted.
   */
  holds(rowId: number, record: NewUsageRecord): boolean;
}

/** One log's writes on the write thread. */
export interface OffThreadWrites {
  /** Whether a batch is on the thread: the next is handed over once it ended. */
  readonly busy: boolean;
  /** Rows of the batch on the thread. */
  readonly rowsOnThread: number;
  /**
   * Takes the end of the batch on the thread (and the thread's word that it opened the log) if
   * it was posted, without waiting for a turn of the event loop: a loop of hits served from
   * memory may not let it turn for a long while. True when a batch can be handed over now.
   */
  takeEnded(): boolean;
  /**
   * Hands `records` to the thread; false where no thread runs, or it has not opened the log yet
   * (it is started then), or they cannot be sent: the caller writes them.
   */
  handOver(records: NewUsageRecord[], footprint: FootprintConfig | undefined): boolean;
  /**
   * Waits, blocked for at most `waitMs`, until no batch is on the thread: it ended (`ended` is
   * called) or is taken back (`returned`). False when it was still being written at the end of
   * the wait: its rows stay the thread's, and `ended` follows.
   */
  settle(waitMs: number): boolean;
  /** Settles, then no batch runs any more and the thread's connection is closed (waited for, at most `waitMs`). */
  close(waitMs: number): void;
}

export function createOffThreadWrites(options: OffThreadWritesOptions): OffThreadWrites {
  const words = new Int32Array(new SharedArrayBuffer(SHARED_WORDS * Int32Array.BYTES_PER_ELEMENT));
  let port: MessagePort | undefined;
  let told: Worker | undefined;
  /** Whether the thread has opened the log: until then, the caller writes. */
  let opened = false;
  let inFlight: { batch: number; records: NewUsageRecord[] } | undefined;
  /** Encodes batches for the thread, keeping the JSON of the calls hit again and again. */
  const encode = createBatchEncoder();
  let lastBatch = 0;

  function receive(reply: LogReply, waited = false): void {
    if (reply.type === OPENED_MESSAGE) {
      opened = true;
      return;
    }
    if (!inFlight || reply.batch !== inFlight.batch) return;
    const { records } = inFlight;
    inFlight = undefined;
    options.ended(records, reply, waited);
  }

  /** Replies already posted, taken now rather than at a later turn of the event loop; `waited`: see {@link OffThreadWritesOptions.ended}. */
  function receivePosted(waited = true): void {
    for (let message = port && receiveMessageOnPort(port); message; message = port && receiveMessageOnPort(port)) receive(message.message as LogReply, waited);
  }

  /** The state word is stopped: the batch in flight ran to its end, or never will. */
  function endStopped(): void {
    receivePosted();
    if (!inFlight) return;
    const { batch, records } = inFlight;
    inFlight = undefined;
    let written: boolean;
    if (Atomics.load(words, DONE_WORD) >= batch) {
      // Posted before the outcome was set, so already taken above; this is in case a runtime delivers it later.
      written = Atomics.load(words, OUTCOME_WORD) === WRITTEN;
    } else {
      Atomics.store(words, CANCELLED_WORD, batch);
      // The thread died, maybe as it committed: the batch landed if its last row inserted did.
      const last = committingRow(words, batch);
      written = last !== undefined && options.holds(last.rowId, records[last.index]!);
    }
    if (written) options.ended(records, { batch, taken: records.length, insertMs: 0, gone: [] }, true);
    else options.returned(records);
  }

  function detach(): void {
    logs.delete(died);
    port?.close();
    port = told = undefined;
    opened = false;
  }

  /** The thread stopped: the batch it had ends here, by what it said before. */
  function died(): void {
    releaseDead(words);
    if (Atomics.compareExchange(words, STATE_WORD, IDLE, STOPPED) === IDLE) {
      endStopped();
      Atomics.store(words, STATE_WORD, IDLE);
    }
    detach();
  }

  /**
   * Whether the thread has opened the log, starting the thread (which opens it once it has
   * loaded) when it has not been given the log yet.
   */
  function connected(): boolean {
    if (opened) return told === worker;
    const thread = writeThread();
    if (!thread) return false;
    if (told !== thread) tell(thread);
    receivePosted(false);
    return opened;
  }

  /** Gives the log to `to`, which opens it once loaded (messages wait for it meanwhile). */
  function tell(to: Worker): void {
    detach();
    const channel = new MessageChannel();
    port = channel.port1;
    port.on("message", (reply: LogReply) => receive(reply));
    // The log must never keep a finished program alive; the exit hook writes what is left.
    port.unref();
    const open: OpenMessage = { type: OPEN_MESSAGE, path: options.path, pricing: options.pricing, shared: words.buffer as SharedArrayBuffer, sharedMemorySeen: options.sharedMemorySeen, port: channel.port2 };
    to.postMessage(open, [channel.port2]);
    logs.add(died);
    told = to;
  }

  return {
    get busy() {
      return inFlight !== undefined;
    },
    get rowsOnThread() {
      return inFlight?.records.length ?? 0;
    },
    takeEnded() {
      // The word is set after the reply is posted: a batch it shows ended has its reply on the port.
      if (inFlight && Atomics.load(words, DONE_WORD) >= inFlight.batch) receivePosted(false);
      return !inFlight && Atomics.load(words, STATE_WORD) !== STOPPED && connected();
    },
    handOver(records, footprint) {
      if (inFlight || Atomics.load(words, STATE_WORD) === STOPPED) return false;
      const batch = lastBatch + 1;
      try {
        if (!connected()) return false;
        const { calls, rows } = encode(records);
        port!.postMessage({ type: WRITE_MESSAGE, batch, calls, rows, footprint } satisfies LogMessage, [rows.buffer]);
      } catch {
        // A record that cannot be sent to another thread (a value some SDK left in it, such as a
        // BigInt), or a thread that just stopped: this slice is written here.
        return false;
      }
      lastBatch = batch;
      inFlight = { batch, records };
      return true;
    },
    settle(waitMs) {
      if (!inFlight) return true;
      if (!stopWhenIdle(words, waitMs)) return false;
      endStopped();
      Atomics.store(words, STATE_WORD, IDLE);
      return true;
    },
    close(waitMs) {
      const until = Date.now() + waitMs;
      if (inFlight && stopWhenIdle(words, waitMs)) endStopped();
      // Past the wait as well: a batch still being written ends on its own, and none starts after.
      Atomics.store(words, STATE_WORD, STOPPED);
      if (told && told === worker) {
        port!.postMessage({ type: CLOSE_MESSAGE } satisfies LogMessage);
        // Closed before the main thread's connection, which, closing last, checkpoints the file and removes its WAL.
        Atomics.wait(words, CLOSED_WORD, 0, Math.max(0, until - Date.now()));
      }
      detach();
    },
  };
}
