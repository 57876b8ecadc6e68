/**
 * The Redis store's command for a cache read, sent for less than ioredis's generic `callBuffer`
 * costs on the hit path, with the same reply, errors and timeout:
 *
 * - The command is built directly (no argument shuffling, callback probing or auto-pipelining
 *   check per call), and its wire form from a prefix and suffix encoded once: only the key is
 *   encoded per call.
 * - ioredis wraps every command in a `diagnostics_channel` trace (two extra promises, a copy of
 *   every argument) unless the channel says nobody listens; Bun's tracing channels do not say it
 *   (`hasSubscribers` is undefined there), so the trace is skipped here while no subscriber is
 *   attached to any of its events, as ioredis itself does under Node.
 * - A read goes out at once, and the reads issued after it in the same turn of the event loop
 *   leave together in one socket write at the end of the turn: a write to a loopback socket
 *   costs more than building the command, and 64 concurrent hits would otherwise pay 64. Anything
 *   else the store sends flushes what is held at once, so a write never waits behind a read
 *   ({@link flushReads}).
 *
 * @module
 */
import type { RedisClient } from "./redis-client.ts";

type Arg = string | number | Buffer;

/** What the read path uses of ioredis's `Command` (public in ioredis, documented for `sendCommand`). */
interface CommandClass {
  new (name: string, args: Arg[], options: { replyEncoding: null }): { isTraced: boolean; toWritable(socket: unknown): string | Buffer };
}

interface TracingChannel {
  start: { hasSubscribers: boolean };
  end: { hasSubscribers: boolean };
  asyncStart: { hasSubscribers: boolean };
  asyncEnd: { hasSubscribers: boolean };
  error: { hasSubscribers: boolean };
}

/** A socket that can hold writes: node's `cork`/`uncork`. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/** A `Command` whose wire form is given (ioredis writes what `toWritable` returns). */
type ReadCommandClass = new (name: string, args: Arg[], wire: string) => { isTraced: boolean };

let Command: ReadCommandClass | undefined;
let tracing: TracingChannel | undefined;

/** Sockets holding reads until the end of the current turn. */
const held = new Set<Corkable>();

/**
 * Takes what the read path needs from the loaded `ioredis` module and `node:diagnostics_channel`
 * (the channel ioredis traces commands on); called once ioredis is loaded.
 */
export function useIoredis(ioredis: { Command?: unknown }, channels: { tracingChannel?: (name: string) => unknown } | undefined): void {
  const Base = ioredis.Command as CommandClass | undefined;
  Command =
    typeof Base === "function"
      ? class extends Base {
          readonly #wire: string;
          constructor(name: string, args: Arg[], wire: string) {
            super(name, args, { replyEncoding: null });
            this.#wire = wire;
          }
          override toWritable(): string {
            return this.#wire;
          }
        }
      : undefined;
  tracing = channels?.tracingChannel?.("ioredis:command") as TracingChannel | undefined;
}

/** Whether anyone listens on ioredis's command channel (then reads are sent, and traced, through ioredis). */
export function traced(): boolean {
  const channel = tracing;
  return channel !== undefined && (channel.start.hasSubscribers || channel.end.hasSubscribers || channel.asyncStart.hasSubscribers || channel.asyncEnd.hasSubscribers || channel.error.hasSubscribers);
}

/**
 * A sender of `HMGET <key> <fields…>` for a fixed list of fields, replied as buffers (or `null`
 * per missing field) in their order, as `callBuffer("HMGET", key, ...fields)` replies.
 */
export function fieldsReader(fields: readonly string[]): (client: RedisClient, key: string) => Promise<(Buffer | null)[]> {
  const head = `*${fields.length + 2}\r\n$5\r\nhmget\r\n`;
  const tail = fields.map((field) => `$${Buffer.byteLength(field)}\r\n${field}\r\n`).join("");
  return (client, key) => {
    if (Command === undefined || client.sendCommand === undefined) return client.callBuffer("HMGET", key, ...fields) as Promise<(Buffer | null)[]>;
    // Lower case, as ioredis's own commands are named: it compares names in lower case per reply.
    const command = new Command("hmget", [key, ...fields], `${head}$${Buffer.byteLength(key)}\r\n${key}\r\n${tail}`);
    if (!traced()) command.isTraced = true;
    const sent = client.sendCommand(command) as Promise<(Buffer | null)[]>;
    hold(client.stream);
    return sent;
  };
}

/** Holds the socket's next writes until the end of this turn (after every promise job in it): the reads of callers that resume together leave together. */
function hold(stream: Corkable | undefined): void {
  if (stream === undefined || held.has(stream) || typeof stream.cork !== "function") return;
  stream.cork();
  held.add(stream);
  process.nextTick(release, stream);
}

function release(stream: Corkable): void {
  if (held.delete(stream)) stream.uncork();
}

/** Sends at once the reads held on the client's socket; called right after any other command is written. */
export function flushReads(client: RedisClient): void {
  const stream = client.stream;
  if (stream !== undefined && held.size > 0) release(stream);
}
