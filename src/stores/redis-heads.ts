/**
 * The packed headers of the Redis store: per scope, one string of records (each semantic write's
 * code header, code length, write time and key; see `redis-head-records.ts`) appended in the
 * write's own transaction, so a cold load reads 100,000 headers with a few range reads instead
 * of reading 100,000 hashes.
 *
 * A record may outlive what it describes: its entry deleted, flushed, expired, or rewritten (a
 * later record of the key then follows it). A listing from the records is therefore a listing
 * of candidates only: the index reads a candidate's code and entry from the entry's hash before
 * scoring it, and reads every live code in the background, dropping what it did not find.
 * The string is rewritten with the records still current once it has grown to twice its length
 * after its last rewrite; a store written before records were kept has none, is listed from its
 * entries' hashes, and gets its records from that listing.
 *
 * @module
 */
import { CODE_HEADER_BYTES } from "../cache/vector-code.ts";
import { forEachRecord, freshToken, headBatcher, headRecord, PREAMBLE_BYTES, preamble, recordKey, type HeadRecord } from "./redis-head-records.ts";
import type { RedisClient } from "./redis-client.ts";
import type { VectorBatch } from "./store.ts";

type Arg = string | number | Buffer;

/** Bytes read per range: well within the command timeout on a busy machine. */
const RANGE_BYTES = 2 << 20;
const IN_FLIGHT = 2;
/** Growth past twice the last rewritten length that is tolerated before compacting (about 2,000 records). */
const SLACK_BYTES = 256 << 10;
/** Entries checked per round trip while compacting. */
const CHECK_BATCH = 1000;
/** One compaction of a scope at a time across processes, and at most one per this interval. */
const COMPACT_LOCK_MS = 30_000;

/**
 * Appends record ARGV[1] to the headers KEYS[1] of the scope whose listing is KEYS[2]: creates
 * them (preamble ARGV[2]) when the scope has no listing yet, and leaves them missing when it has
 * one (a store written before records were kept: a listing builds them). Returns 1 when they have
 * grown past twice their last rewritten length and ARGV[3] bytes: time to compact.
 */
const APPEND_SCRIPT = `
if redis.call('STRLEN', KEYS[1]) == 0 then
  if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[1], ARGV[2] .. ARGV[1]) end
  return 0
end
local length = redis.call('APPEND', KEYS[1], ARGV[1])
if redis.call('GETRANGE', KEYS[1], 0, 0) ~= 'C' then return 0 end
local base = tonumber(redis.call('GETRANGE', KEYS[1], 8, 23))
if base and length > 2 * base + tonumber(ARGV[3]) then return 1 end
return 0`;

/** Before a whole listing: marks missing headers KEYS[1] as being built (preamble ARGV[1]); returns their preamble and length. */
const BEGIN_SCRIPT = `
if redis.call('STRLEN', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
return {redis.call('GETRANGE', KEYS[1], 0, 23), redis.call('STRLEN', KEYS[1])}`;

/**
 * Bytes ARGV[2] to ARGV[3] of headers KEYS[1] with their first 8 bytes and whole length; the
 * first 8 bytes alone when they are no longer ARGV[1] (rewritten since the read began).
 */
const READ_SCRIPT = `
local head = redis.call('GETRANGE', KEYS[1], 0, 7)
if ARGV[1] ~= '' and head ~= ARGV[1] then return {head} end
return {head, redis.call('GETRANGE', KEYS[1], ARGV[2], ARGV[3]), redis.call('STRLEN', KEYS[1])}`;

/**
 * Rewrites headers KEYS[1], still with preamble ARGV[1], as complete (token ARGV[3]): records
 * ARGV[4] in place of their first ARGV[2] bytes, followed by what was appended since. 1 if done.
 */
const REPLACE_SCRIPT = `
if redis.call('GETRANGE', KEYS[1], 0, 23) ~= ARGV[1] then return 0 end
local from = tonumber(ARGV[2])
local tail = ''
if redis.call('STRLEN', KEYS[1]) > from then tail = redis.call('GETRANGE', KEYS[1], from, -1) end
redis.call('SET', KEYS[1], 'C' .. ARGV[3] .. string.format('%016d', 24 + #ARGV[4] + #tail) .. ARGV[4] .. tail)
return 1`;

export interface RedisHeadsAccess {
  prefix: string;
  vectorsPrefix: string;
  run<T>(send: (redis: RedisClient) => Promise<T>): Promise<T>;
  call(command: string, ...args: Arg[]): Promise<unknown>;
  /** Sends commands in one round trip; throws the first error. */
  batch(commands: Arg[][]): Promise<unknown[]>;
}

/** A read of complete headers: their preamble and the length read. */
interface Read {
  preamble: string;
  length: number;
}

/** The packed headers of each scope: written with each semantic write, listed, built and compacted. */
export function createRedisHeads({ prefix, vectorsPrefix, run, call, batch }: RedisHeadsAccess) {
  const headsKey = (scope: string) => `${prefix}heads:${scope}`;
  const compacting = new Set<string>();

  /**
   * Reads the records of the complete headers of `scope` in ranges, `visit`ing each (with the
   * bytes it lies in); undefined when there are none complete. Headers rewritten during the read
   * are read again from the start, after `restart`; undefined after a third rewrite.
   */
  async function readRecords(scope: string, visit: (bytes: Buffer, record: HeadRecord) => void, restart: () => void): Promise<Read | undefined> {
    const key = headsKey(scope);
    const range = (expected: string, from: number, to: number) =>
      run((redis) => redis.callBuffer("EVAL", READ_SCRIPT, 1, key, expected, from, to)) as Promise<[Buffer, Buffer?, number?]>;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) restart();
      // The second range is asked for with the first, before the first's reply tells the length
      // and the token: the server reads it out while this process places the first. (Past the
      // end it is empty and unused; a token other than the first's means a rewrite in between.)
      const opening = range("", 0, RANGE_BYTES - 1);
      const second = range("", RANGE_BYTES, 2 * RANGE_BYTES - 1);
      second.catch(() => {});
      const [head, first, strlen] = await opening;
      if (head.byteLength < 8 || head[0] !== 67 /* C */ || !first) return undefined;
      const token = head.toString("latin1");
      const read = { preamble: first.toString("latin1", 0, PREAMBLE_BYTES), length: Number(strlen) };
      let carry = first.subarray(PREAMBLE_BYTES);
      const take = (bytes: Buffer) => {
        const used = forEachRecord(bytes, (record) => visit(bytes, record));
        carry = bytes.subarray(used);
      };
      const ahead: Promise<[Buffer, Buffer?, number?]>[] = [];
      let next = RANGE_BYTES;
      if (next < read.length) {
        // Cut to the length the first read found, as the ranges asked for after it are.
        const checked = second.then(([at, bytes, length]): [Buffer, Buffer?, number?] => (at.toString("latin1") === token && bytes ? [at, bytes.subarray(0, read.length - RANGE_BYTES), length] : [at]));
        checked.catch(() => {});
        ahead.push(checked);
        next += RANGE_BYTES;
      }
      const more = () => {
        if (next >= read.length) return;
        const reply = range(token, next, Math.min(next + RANGE_BYTES, read.length) - 1);
        // Read ahead of its turn: a failure is reported when its turn comes.
        reply.catch(() => {});
        ahead.push(reply);
        next += RANGE_BYTES;
      };
      while (ahead.length < IN_FLIGHT && next < read.length) more();
      take(carry);
      let rewritten = false;
      while (ahead.length > 0) {
        const [, bytes] = await ahead.shift()!;
        if (!bytes) {
          rewritten = true;
          break;
        }
        more();
        take(carry.byteLength === 0 ? bytes : Buffer.concat([carry, bytes]));
      }
      if (!rewritten) return read;
      await Promise.allSettled(ahead);
    }
    return undefined;
  }

  /** Compacts the headers of `scope`: each key's last record, kept while its entry still holds it. */
  async function compact(scope: string): Promise<void> {
    if ((await call("SET", `${prefix}heads-compacting:${scope}`, "1", "PX", COMPACT_LOCK_MS, "NX")) !== "OK") return;
    let records: { key: string; createdAt: number; bytes: Buffer }[] = [];
    const last = new Map<string, number>();
    const read = await readRecords(
      scope,
      (bytes, record) => {
        const { createdAt, offset, bytes: length } = record;
        const key = recordKey(bytes, record);
        last.set(key, records.length);
        records.push({ key, createdAt, bytes: Buffer.from(bytes.subarray(offset, offset + length)) });
      },
      () => {
        records = [];
        last.clear();
      },
    );
    if (!read) return;
    const latest = [...last.values()].sort((a, b) => a - b).map((i) => records[i]!);
    const kept: Buffer[] = [];
    for (let start = 0; start < latest.length; start += CHECK_BATCH) {
      const part = latest.slice(start, start + CHECK_BATCH);
      const facts = (await batch(part.map((record) => ["hmget", `${prefix}entry:${record.key}`, "scope", "createdAt"]))) as (string | null)[][];
      part.forEach((record, i) => {
        const [owner, createdAt] = facts[i]!;
        if (owner === scope && createdAt !== null && Number(createdAt) === record.createdAt) kept.push(record.bytes);
      });
    }
    await call("EVAL", REPLACE_SCRIPT, 1, headsKey(scope), read.preamble, read.length, freshToken(), Buffer.concat(kept));
  }

  return {
    /**
     * The command (for the write's transaction, before the listing's ZADD) appending the record of
     * a semantic write; its reply tells {@link noteAppended} whether compaction is due.
     */
    appendCommand(scope: string, key: string, createdAt: number, code: Uint8Array): Arg[] | undefined {
      const record = headRecord(key, createdAt, code);
      if (!record) return undefined;
      return ["eval", APPEND_SCRIPT, 2, headsKey(scope), vectorsPrefix + scope, record, preamble("C", PREAMBLE_BYTES + record.byteLength), SLACK_BYTES];
    },

    /** Starts compacting `scope` in the background when an append's `reply` says it is due. */
    noteAppended(scope: string, reply: unknown): void {
      if (Number(reply) !== 1 || compacting.has(scope)) return;
      compacting.add(scope);
      compact(scope)
        .catch(() => {
          // A store fault: the records are compacted after a later write.
        })
        .finally(() => compacting.delete(scope));
    },

    /**
     * Lists the headers of `scope` written at or after `since` from its records, in write order;
     * false (nothing listed) when it has none complete, for the caller to list from the hashes.
     */
    async list(scope: string, since: number, each: (batch: VectorBatch) => void): Promise<boolean> {
      const batcher = headBatcher(each);
      const read = await readRecords(scope, (bytes, record) => record.createdAt >= since && batcher.add(bytes, record), batcher.flush);
      batcher.flush();
      return read !== undefined;
    },

    /**
     * Before a whole listing of `scope` (from its hashes): when its headers are missing or being
     * built, a builder that takes the listed batches and then writes them as its records, ahead
     * of whatever was appended since the listing began.
     */
    async builder(scope: string): Promise<{ add(batch: VectorBatch): void; finish(): Promise<void> } | undefined> {
      const [head, length] = (await call("EVAL", BEGIN_SCRIPT, 1, headsKey(scope), preamble("B", PREAMBLE_BYTES))) as [string, number];
      if (!head.startsWith("B")) return undefined;
      const records: Buffer[] = [];
      return {
        add({ count, keys, createdAt, codeBytes, headsOnly, codes }) {
          const stride = headsOnly ? CODE_HEADER_BYTES : codeBytes;
          for (let i = 0; i < count; i++) {
            const record = headRecord(keys[i]!, createdAt[i]!, codes.subarray(i * stride, i * stride + CODE_HEADER_BYTES), codeBytes);
            if (record) records.push(record);
          }
        },
        async finish() {
          await call("EVAL", REPLACE_SCRIPT, 1, headsKey(scope), head, length, freshToken(), Buffer.concat(records));
        },
      };
    },

    /** Removes every scope's headers (a flush of every entry). */
    async removeAll(): Promise<void> {
      let cursor = "0";
      do {
        const [next, keys] = (await call("SCAN", cursor, "MATCH", `${escapeGlob(prefix)}heads:*`, "COUNT", 500)) as [string, string[]];
        cursor = next;
        if (keys.length > 0) await call("DEL", ...keys);
      } while (cursor !== "0");
    },
  };
}

/** A literal string inside a SCAN MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

export type RedisHeads = ReturnType<typeof createRedisHeads>;
