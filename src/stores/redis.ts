import { randomUUID } from "node:crypto";
import { matchesFlushFilter } from "./flush-filter.ts";
import { tokenCount } from "../usage/row.ts";
import { encodeVector } from "../cache/vector-code.ts";
import { closeRedis, connectRedis, explainRedisError, redactRedisUrl, type RedisClient, type RedisConnectionOptions } from "./redis-client.ts";
import { createRedisHeads, escapeGlob } from "./redis-heads.ts";
import { openBunReads, TIMEOUT_MESSAGE, type BunReads } from "./redis-bun-reads.ts";
import { ENTRY_FIELDS, SCOPE, TEXT_FIELDS, toEntry, vectorBytes } from "./redis-entry.ts";
import { fieldsReader, flushReads, traced } from "./redis-send.ts";
import { createRedisVectorListing } from "./redis-vectors.ts";
import type { CacheEntry, Store, StoreFlushFilter, StoreWrite } from "./store.ts";

type Arg = string | number | Buffer;

export interface RedisStoreOptions extends RedisConnectionOptions {
  /** A `redis://` or `rediss://` URL. */
  url: string;
  /**
   * Prepended to every key this store writes, so several applications can share one server.
   * @default "ecoai:"
   */
  prefix?: string;
}

/**
 * After a command times out (a server that accepts but does not answer), commands fail at once for
 * this long, so a frozen server costs one timeout per interval rather than one per call.
 */
const TIMEOUT_BACKOFF_MS = 1000;

/** Entries looked at per SCAN step while flushing, and read per round trip: small steps keep the server responsive. */
const BATCH = 500;

/**
 * Deletes entries (ARGV[2..], under prefix ARGV[1]) with their vector listings; returns how many
 * existed. One script per batch of keys: one round trip, and the listing goes with its entry.
 */
const DELETE_SCRIPT = `
local removed = 0
for i = 2, #ARGV do
  local entry = ARGV[1] .. 'entry:' .. ARGV[i]
  local scope = redis.call('HGET', entry, 'scope')
  removed = removed + redis.call('DEL', entry)
  if scope then redis.call('ZREM', ARGV[1] .. 'vectors:' .. scope, ARGV[i]) end
end
return removed`;

/** Deletes a lock only while it still holds this caller's token (an expired lock may be someone else's). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Extends a lock (ARGV[2] ms) only while it still holds this caller's token (ARGV[1]). */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * A cache shared by every process and host that points at one Redis server. Each entry is a hash
 * (`<prefix>entry:<key>`: the response and what the dashboard shows of it) that expires by itself
 * in prod mode; semantic vectors are listed per scope in a sorted set by write time, and their
 * codes' headers packed per scope in one string (`redis-heads.ts`) that a cold load reads in a
 * few range reads. `ioredis` is
 * loaded on first use. Commands fail at once while the server is unreachable and within the
 * command timeout when it hangs (the engine then calls the provider); the client reconnects in the
 * background.
 *
 * @example
 * const eco = new EcoAI({ client, storage: "redis", redisUrl: "redis://127.0.0.1:6379", redisKeyPrefix: "myapp:" });
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const prefix = options.prefix ?? "ecoai:";
  const entryKey = (key: string) => `${prefix}entry:${key}`;
  const vectorsPrefix = `${prefix}vectors:`;
  const lockKey = (key: string) => `${prefix}lock:${key}`;
  /** Tokens of the locks this store holds, so it only ever releases its own. */
  const held = new Map<string, string>();

  // Connecting starts now, so the first call rarely waits for it; a failure surfaces per command.
  const connecting = connectRedis(options.url, options);
  /** The client once connected: commands then go out before any await, so writes made as the process stops leave with it. */
  let connected: RedisClient | undefined;
  /** Under Bun, the connection cache reads go out on (see redis-bun-reads.ts). */
  let bunReads: BunReads | undefined;
  connecting.then(
    (redis) => {
      connected = redis;
      if (!closed) bunReads = openBunReads(redis, TEXT_FIELDS, options);
    },
    () => {},
  );
  let closed = false;
  let unresponsiveUntil = 0;

  /**
   * Runs commands on the client, failing fast while closed or after a recent timeout; a failure
   * says why in an operator's words (see `explainRedisError`).
   */
  async function run<T>(send: (redis: RedisClient) => Promise<T>): Promise<T> {
    if (closed) throw new Error("the Redis store is closed");
    if (Date.now() < unresponsiveUntil) throw new Error("the server did not answer in time; skipping it for a moment");
    const redis = connected ?? (await connecting);
    try {
      const sent = send(redis);
      // Written now, not behind the reads held for this turn (see redis-send.ts).
      flushReads(redis);
      return await sent;
    } catch (error) {
      throw failure(redis, error);
    }
  }
  /** A command's failure in an operator's words; a timeout starts the back-off. */
  function failure(redis: RedisClient, error: unknown): Error {
    if (error instanceof Error && error.message === "Command timed out") unresponsiveUntil = Date.now() + TIMEOUT_BACKOFF_MS;
    return explainRedisError(redis, error);
  }
  /**
   * An entry's fields by name, in a fixed order: the reply is read by position, and a semantic
   * entry's code (only listings need it) stays on the server. Once connected and usable, the read
   * goes out with no promise in front of it (this is a cache hit's whole cost beyond the engine).
   */
  function readEntry(key: string): Promise<CacheEntry | undefined> {
    const redis = connected;
    if (redis === undefined || closed || Date.now() < unresponsiveUntil) return readThroughIoredis(key);
    // Tracing subscribers see reads only on ioredis's channel.
    const read = traced() ? undefined : bunReads?.read(entryKey(key));
    if (read !== undefined) {
      return read.then(
        // A semantic entry's vector is binary: the entry is read whole, as bytes, through ioredis.
        (values) => (values[SCOPE] === null ? toEntry(key, values) : readThroughIoredis(key)),
        (error: Error) => {
          if (error.message === TIMEOUT_MESSAGE) throw failure(redis, error);
          // A dropped connection or a reply the text fields cannot take: ioredis reads it as it always has.
          return readThroughIoredis(key);
        },
      );
    }
    let sent: Promise<(Buffer | null)[]>;
    try {
      sent = readFields(redis, entryKey(key));
    } catch (error) {
      return Promise.reject(failure(redis, error));
    }
    return sent.then(
      (values) => toEntry(key, values),
      (error) => {
        throw failure(redis, error);
      },
    );
  }
  function readThroughIoredis(key: string): Promise<CacheEntry | undefined> {
    return run((client) => readFields(client, entryKey(key))).then((values) => toEntry(key, values));
  }
  const call = (command: string, ...args: Arg[]) => run((redis) => redis.call(command, ...args));
  /** Sends commands in one round trip (a MULTI transaction when `atomic`); throws the first error. */
  const batch = (commands: Arg[][], atomic = false) =>
    run(async (redis) => {
      const results = (await (atomic ? redis.multi(commands) : redis.pipeline(commands)).exec()) ?? [];
      return results.map(([error, value]) => {
        if (error) throw error;
        return value;
      });
    });

  const heads = createRedisHeads({ prefix, vectorsPrefix, run, call, batch });
  const vectors = createRedisVectorListing({ prefix, vectorsPrefix, run, call }, heads);

  /**
   * The commands that write one entry: its hash replaced whole, its expiry, its vector listing
   * and packed header. The scope of the header's append is noted at its position in `appends`.
   */
  function entryCommands(entry: CacheEntry, ttlSeconds: number | undefined, commands: Arg[][], appends: Map<number, string>): void {
    const fields: Arg[] = [
      "body", entry.body,
      "createdAt", entry.createdAt,
      "provider", entry.provider,
      "endpoint", entry.endpoint,
      "model", entry.model,
      "namespace", entry.namespace,
      "prompt", entry.prompt,
      "promptType", entry.promptType,
      "inputTokens", tokenCount(entry.usage.inputTokens),
      "cachedInputTokens", tokenCount(entry.usage.cachedInputTokens),
      "outputTokens", tokenCount(entry.usage.outputTokens),
    ];
    const code = entry.semantic ? encodeVector(entry.semantic.vector) : undefined;
    if (entry.semantic) fields.push("scope", entry.semantic.scope, "vector", vectorBytes(entry.semantic.vector), "code", Buffer.from(code!.buffer, code!.byteOffset, code!.byteLength));
    if (entry.evidence !== undefined) fields.push("evidence", entry.evidence);
    commands.push(["del", entryKey(entry.key)], ["hset", entryKey(entry.key), ...fields]);
    if (ttlSeconds !== undefined) commands.push(["pexpire", entryKey(entry.key), Math.max(1, Math.round(ttlSeconds * 1000))]);
    if (entry.semantic) {
      // Before the ZADD: a scope without a listing yet is one whose headers can start complete.
      const append = heads.appendCommand(entry.semantic.scope, entry.key, entry.createdAt, code!);
      if (append) {
        appends.set(commands.length, entry.semantic.scope);
        commands.push(append);
      }
      commands.push(["zadd", vectorsPrefix + entry.semantic.scope, entry.createdAt, entry.key]);
    }
  }

  /** Writes entries in one MULTI (one round trip, all or none); starts compacting the headers of scopes that have grown. */
  async function write(writes: readonly StoreWrite[]): Promise<void> {
    const commands: Arg[][] = [];
    const appends = new Map<number, string>();
    for (const { entry, ttlSeconds } of writes) entryCommands(entry, ttlSeconds, commands, appends);
    const replies = await batch(commands, true);
    for (const [at, scope] of appends) heads.noteAppended(scope, replies[at]);
  }

  async function remove(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return Number(await call("EVAL", DELETE_SCRIPT, 0, prefix, ...keys));
  }

  return {
    name: "redis",
    location: redactRedisUrl(options.url),
    get: readEntry,
    async set(entry, setOptions = {}) {
      await write([{ entry, ...setOptions }]);
    },
    async setMany(writes) {
      if (writes.length > 0) await write(writes);
    },
    async delete(key) {
      return (await remove([key])) > 0;
    },
    async flush(filter: StoreFlushFilter = {}) {
      let removed = 0;
      let cursor = "0";
      // SCAN walks the keyspace in small steps (KEYS would block the server for everyone).
      do {
        const [next, keys] = (await call("SCAN", cursor, "MATCH", `${escapeGlob(prefix)}entry:*`, "COUNT", BATCH)) as [string, string[]];
        cursor = next;
        const ids = keys.map((k) => k.slice(prefix.length + "entry:".length));
        const facts = keys.length === 0 ? [] : await batch(keys.map((k) => ["hmget", k, "model", "namespace", "prompt"]));
        const matching = ids.filter((_, i) => {
          const [model, namespace, prompt] = facts[i] as (string | null)[];
          return typeof model === "string" && matchesFlushFilter({ model, namespace: namespace ?? "", prompt: prompt ?? "" }, filter);
        });
        removed += await remove(matching);
      } while (cursor !== "0");
      // Every entry gone: so are the packed headers that listed them (stale headers are harmless, but loaded).
      if (filter.model === undefined && filter.namespace === undefined && filter.matchPrompt === undefined) await heads.removeAll();
      return removed;
    },
    ...vectors,
    async acquireLock(key, ttlMs) {
      const token = randomUUID();
      const taken = (await call("SET", lockKey(key), token, "PX", lockMs(ttlMs), "NX")) === "OK";
      if (taken) held.set(key, token);
      return taken;
    },
    async renewLock(key, ttlMs) {
      const token = held.get(key);
      if (token === undefined) return false;
      const renewed = Number(await call("EVAL", RENEW_SCRIPT, 1, lockKey(key), token, lockMs(ttlMs))) === 1;
      if (!renewed) held.delete(key);
      return renewed;
    },
    async releaseLock(key) {
      const token = held.get(key);
      if (token === undefined) return;
      held.delete(key);
      await call("EVAL", RELEASE_SCRIPT, 1, lockKey(key), token);
    },
    async close() {
      if (closed) return;
      closed = true;
      bunReads?.close();
      try {
        await closeRedis(await connecting);
      } catch {
        // Never connected (ioredis missing): nothing to release.
      }
    },
  };
}

const readFields = fieldsReader(ENTRY_FIELDS);

/** A lock's lifetime as Redis takes it: whole milliseconds, at least one. */
function lockMs(ttlMs: number): number {
  return Math.max(1, Math.round(ttlMs));
}
