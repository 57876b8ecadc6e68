/**
 * How the Redis store lists a scope's semantic vectors: the codes' headers alone (a first load)
 * from the scope's packed headers when it has them (`redis-heads.ts`); else, and for whole codes,
 * the keys from the scope's sorted set (by write time), then their codes in batches, each batch
 * one script whose reply is a few values (the codes concatenated by the server), so a load of
 * 100,000 vectors costs the client about a hundred replies to parse instead of three values a
 * vector.
 *
 * @module
 */
import { CODE_HEADER_BYTES, encodeVector } from "../cache/vector-code.ts";
import type { RedisClient } from "./redis-client.ts";
import type { RedisHeads } from "./redis-heads.ts";
import type { StoredVector, VectorBatch, VectorBatchOptions } from "./store.ts";

/** Entries read by one listing script (400 KB of codes at 1,536 dimensions: each reply well within the command timeout on a busy machine), and scripts kept in flight. */
const LIST_BATCH = 256;
const IN_FLIGHT = 2;

/**
 * For entries ARGV[4..] under prefix ARGV[1] in scope ARGV[2] (any scope when empty): one letter
 * each (`c` coded, `u` stored without a code, `s` gone or moved to another scope), the write
 * times of the `c` and `u` entries, the codes back to back (their first ARGV[3] bytes only, when
 * not 0) and the codes' whole lengths.
 */
const BATCH_SCRIPT = `
local states, times, codes, lengths = {}, {}, {}, {}
local heads = tonumber(ARGV[3])
for i = 4, #ARGV do
  local values = redis.call('HMGET', ARGV[1] .. 'entry:' .. ARGV[i], 'scope', 'createdAt', 'code')
  if (ARGV[2] ~= '' and values[1] ~= ARGV[2]) or not values[2] then
    states[#states + 1] = 's'
  else
    times[#times + 1] = values[2]
    if values[3] then
      states[#states + 1] = 'c'
      codes[#codes + 1] = heads > 0 and string.sub(values[3], 1, heads) or values[3]
      lengths[#lengths + 1] = #values[3]
    else
      states[#states + 1] = 'u'
    end
  end
end
return {table.concat(states), table.concat(times, ','), table.concat(codes), table.concat(lengths, ',')}`;

/** For entries ARGV[2..] under prefix ARGV[1]: each one's stored vector, or nothing. */
const VECTORS_SCRIPT = `
local out = {}
for i = 2, #ARGV do out[#out + 1] = redis.call('HGET', ARGV[1] .. 'entry:' .. ARGV[i], 'vector') or '' end
return out`;

type Arg = string | number | Buffer;

export interface RedisVectorAccess {
  prefix: string;
  /** What precedes a scope's name in the key of its sorted set of entries (by write time). */
  vectorsPrefix: string;
  /** Runs commands on the client (failing fast while closed or unresponsive). */
  run<T>(send: (redis: RedisClient) => Promise<T>): Promise<T>;
  call(command: string, ...args: Arg[]): Promise<unknown>;
}

/** The vector listings of the Redis store: in batches (what an index loads from), and one by one. */
export function createRedisVectorListing({ prefix, vectorsPrefix, run, call }: RedisVectorAccess, heads: RedisHeads) {

  /**
   * Reads the codes (or headers) of `listed` in scripts of `LIST_BATCH` entries, `IN_FLIGHT` at a
   * time, handing each reply over as a batch; notes the entries gone or without a code.
   */
  async function readCodes(scope: string, listed: readonly string[], headsOnly: boolean, each: (batch: VectorBatch) => void) {
    const read = (start: number) => {
      const keys = listed.slice(start, start + LIST_BATCH);
      const reply = run((redis) => redis.callBuffer("EVAL", BATCH_SCRIPT, 0, prefix, scope, headsOnly ? CODE_HEADER_BYTES : 0, ...keys)) as Promise<Buffer[]>;
      // Read ahead of its turn: a failure is reported when its turn comes.
      reply.catch(() => {});
      return { keys, reply };
    };
    // The server answers the next scripts while this process copies a reply into the index.
    const ahead = [];
    for (let start = 0; start < listed.length && ahead.length < IN_FLIGHT; start += LIST_BATCH) ahead.push(read(start));
    const stale: string[] = [];
    const uncoded: { key: string; createdAt: number }[] = [];
    for (let start = IN_FLIGHT * LIST_BATCH; ahead.length > 0; start += LIST_BATCH) {
      const { keys, reply } = ahead.shift()!;
      const [states, times, codes, lengths] = await reply;
      if (start < listed.length) ahead.push(read(start));
      handOver(keys, states!.toString(), times!.toString(), codes!, lengths!.toString(), headsOnly, each, stale, uncoded);
    }
    return { stale, uncoded };
  }

  async function vectorBatchesSince(scope: string, since: number, each: (batch: VectorBatch) => void, { headsOnly = false }: VectorBatchOptions = {}): Promise<void> {
    if (headsOnly && (await heads.list(scope, since, each))) return;
    // A scope without its packed headers (a store written before they were kept) gets them from a whole listing.
    const building = since === 0 ? await heads.builder(scope) : undefined;
    if (building) {
      const listTo = each;
      each = (batch) => (building.add(batch), listTo(batch));
    }
    const listed = (await call("ZRANGEBYSCORE", vectorsPrefix + scope, since, "+inf")) as string[];
    const { stale, uncoded } = await readCodes(scope, listed, headsOnly, each);
    // Entries written before codes were kept: their codes computed from their vectors.
    for (let start = 0; start < uncoded.length; start += LIST_BATCH) {
      const part = uncoded.slice(start, start + LIST_BATCH);
      const vectors = (await run((redis) => redis.callBuffer("EVAL", VECTORS_SCRIPT, 0, prefix, ...part.map((v) => v.key)))) as Buffer[];
      part.forEach(({ key, createdAt }, i) => {
        const bytes = vectors[i]!;
        if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) return;
        const code = encodeVector(toVector(bytes));
        each({ count: 1, keys: [key], createdAt: [createdAt], codeBytes: code.byteLength, codes: code });
      });
    }
    // An entry that expired leaves its listing behind; it is dropped here.
    for (let start = 0; start < stale.length; start += LIST_BATCH) await call("ZREM", vectorsPrefix + scope, ...stale.slice(start, start + LIST_BATCH));
    await building?.finish();
  }

  return {
    vectorBatchesSince,
    async vectorCodes(keys: readonly string[], each: (batch: VectorBatch) => void): Promise<void> {
      await readCodes("", keys, false, each);
    },
    async vectorsSince(scope: string, since: number): Promise<StoredVector[]> {
      const vectors: StoredVector[] = [];
      await vectorBatchesSince(scope, since, ({ count, keys, createdAt, codeBytes, codes }) => {
        for (let i = 0; i < count; i++) vectors.push({ key: keys[i]!, createdAt: createdAt[i]!, code: codes.slice(i * codeBytes, (i + 1) * codeBytes) });
      });
      return vectors.sort((a, b) => a.createdAt - b.createdAt);
    },
  };
}

/** Hands over the coded entries of one script's reply as a batch, and notes the others. */
function handOver(
  keys: string[],
  states: string,
  times: string,
  codes: Buffer,
  lengths: string,
  headsOnly: boolean,
  each: (batch: VectorBatch) => void,
  stale: string[],
  uncoded: { key: string; createdAt: number }[],
): void {
  const createdAt = times.length === 0 ? [] : times.split(",").map(Number);
  const codeLengths = lengths.length === 0 ? [] : lengths.split(",").map(Number);
  const coded: string[] = [];
  const codedAt: number[] = [];
  for (let i = 0, t = 0; i < keys.length; i++) {
    const state = states.charCodeAt(i);
    if (state === 115 /* s */) stale.push(keys[i]!);
    else if (state === 117 /* u */) uncoded.push({ key: keys[i]!, createdAt: createdAt[t++]! });
    else {
      coded.push(keys[i]!);
      codedAt.push(createdAt[t++]!);
    }
  }
  if (coded.length === 0) return;
  const codeBytes = codeLengths[0]!;
  if (codeLengths.every((length) => length === codeBytes)) {
    each({ count: coded.length, keys: coded, createdAt: codedAt, codeBytes, headsOnly, codes });
    return;
  }
  // Codes of several lengths (vectors of more than one embedding model): one batch a code.
  for (let i = 0, offset = 0; i < coded.length; i++) {
    const stride = headsOnly ? Math.min(CODE_HEADER_BYTES, codeLengths[i]!) : codeLengths[i]!;
    each({ count: 1, keys: [coded[i]!], createdAt: [codedAt[i]!], codeBytes: codeLengths[i]!, headsOnly, codes: codes.subarray(offset, offset + stride) });
    offset += stride;
  }
}

/** Copies into a fresh, aligned buffer: a reply's bytes may start at any offset. */
export function toVector(bytes: Buffer): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
