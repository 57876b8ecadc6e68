/**
 * The thread that writes usage rows in the background (see write-thread.ts). Each log it is
 * given has a connection here, kept open between batches; a batch is written in one transaction,
 * under the log's state word, and its reply posted and its outcome set in the shared words before
 * the word goes back to idle, so a main thread that waited for it knows how it ended.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { quietThread } from "../sqlite/background-thread.ts";
import { CLOSING_BUSY_TIMEOUT_MS } from "../sqlite/database.ts";
import { runUnlessStopped } from "../sqlite/thread-state.ts";
import { decodeBatch, encodeBatch } from "./batch-encoding.ts";
import { createLogWriter, type GoneKind, type LogWriteResult } from "./log-writer.ts";
import type { NewUsageRecord } from "./row.ts";
import {
  CANCELLED_WORD,
  CLOSE_MESSAGE,
  CLOSED_WORD,
  DONE_WORD,
  FAILED,
  markCommitting,
  OPENED_MESSAGE,
  OUTCOME_WORD,
  sendFault,
  WRITTEN,
  type LogMessage,
  type LogReply,
  type OpenMessage,
  type WriteReply,
} from "./write-protocol.ts";

/**
 * How long a write here waits for another connection's lock. Nothing waits on this thread, so
 * longer than a write on the call's path (a peer's write of a few milliseconds is waited out, not
 * counted as a fault); but `flush()` and `close()` wait for a batch in flight, so well below the
 * closing wait.
 */
export const THREAD_BUSY_TIMEOUT_MS = Math.min(100, CLOSING_BUSY_TIMEOUT_MS);

/**
 * Rows written, at start, to a log in memory: a thread's code runs unoptimised at first, and its
 * first few hundred rows would cost ten times what the main thread, long warmed up, pays a row.
 */
const WARM_UP_ROWS = 2000;

quietThread();
warmUp();
// Logs given meanwhile wait for this: until each is opened, the main thread writes it itself
// (starting the thread takes a tenth of a second or so).
parentPort?.on("message", (message: OpenMessage) => openLog(message));

function warmUp(): void {
  const writer = createLogWriter(":memory:", { busyTimeoutMs: 0, checkpointsInThread: true, gone: () => {} });
  try {
    const models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "an-unpriced-model"];
    // Hits and misses of 20 entries, as a server of cache hits records them, through the hand-over's encoding.
    const records = Array.from({ length: WARM_UP_ROWS / 10 }, (_, i): NewUsageRecord => {
      const entry = i % 20;
      return {
        timestamp: Date.now(),
        provider: "openai",
        model: models[entry % models.length]!,
        cacheHit: i >= 20 || entry % 3 !== 0,
        semanticHit: false,
        cacheKey: `warm-up ${entry}`,
        prompt: `warm-up ${entry}`,
        promptType: "text",
        usage: { inputTokens: 100 + entry, cachedInputTokens: entry % 4 === 0 ? 50 : 0, outputTokens: 50 + entry },
        latencyMs: 1 + i / 1000,
      };
    });
    for (let i = 0; i < 10; i++) writer.write(decodeBatch(encodeBatch(records)), { account: {} });
  } catch {
    // Only slower for a while.
  } finally {
    writer.close();
  }
}

function openLog({ path, pricing, shared, sharedMemorySeen, port }: OpenMessage): void {
  const words = new Int32Array(shared);
  let gone: WriteReply["gone"] = [];
  const writer = createLogWriter(path, {
    busyTimeoutMs: THREAD_BUSY_TIMEOUT_MS,
    sharedMemorySeen,
    checkpointsInThread: true,
    gone: (kind: GoneKind, inode) => gone.push({ kind, inode }),
  });
  // Opened before the first batch comes: opening takes milliseconds, longer on a thread just started.
  try {
    writer.connection();
  } catch {
    // Found again, and reported, by the first write.
  }
  port.postMessage({ type: OPENED_MESSAGE } satisfies LogReply);
  port.on("message", (message: LogMessage) => {
    if (message.type === CLOSE_MESSAGE) {
      try {
        writer.close();
      } finally {
        port.close();
        Atomics.store(words, CLOSED_WORD, 1);
        Atomics.notify(words, CLOSED_WORD);
      }
      return;
    }
    // Not once the main thread holds the log, nor for a batch it took back meanwhile.
    runUnlessStopped(words, () => {
      if (message.batch <= Atomics.load(words, CANCELLED_WORD)) return;
      let result: LogWriteResult;
      try {
        const beforeCommit = (lastRowId: number | undefined, lastIndex: number) => markCommitting(words, message.batch, lastRowId, lastIndex);
        result = writer.write(decodeBatch(message), { account: { overrides: pricing, footprint: message.footprint }, beforeCommit });
      } catch (error) {
        result = { taken: 0, insertMs: 0, fault: error };
      }
      const reply: WriteReply = { batch: message.batch, taken: result.taken, insertMs: result.insertMs, gone };
      gone = [];
      if (result.fault !== undefined) reply.fault = sendFault(result.fault);
      if (result.firstRefusal !== undefined) reply.firstRefusal = sendFault(result.firstRefusal);
      port.postMessage(reply);
      Atomics.store(words, OUTCOME_WORD, result.fault === undefined ? WRITTEN : FAILED);
      Atomics.store(words, DONE_WORD, message.batch);
    });
  });
}
