import type { PromptType, Provider, TokenUsage } from "../types.ts";

/** One cached response and what the engine needs to serve and account for it. */
export interface CacheEntry {
  /** SHA-256 of the canonical request (see `hashCacheKey`). */
  key: string;
  /** The response, serialised as JSON. Parsed afresh on every hit so callers cannot mutate the cache. */
  body: string;
  /** When the entry was written, in milliseconds since the epoch. */
  createdAt: number;
  provider: Provider;
  /** The SDK method, e.g. `chat.completions`. */
  endpoint: string;
  model: string;
  /** Cache partition; `""` when none. */
  namespace: string;
  /** First 200 characters of the prompt text. */
  prompt: string;
  promptType: PromptType;
  /** Tokens of the stored response, for pricing what a hit saves. */
  usage: TokenUsage;
  /** Present when the entry takes part in semantic matching: its scope and prompt embedding. */
  semantic?: SemanticVector;
  /**
   * What verified semantic caching has learnt of this entry (checks of its answer against the
   * provider's), as text the semantic cache reads and writes; stores keep it as given.
   */
  evidence?: string;
}

/**
 * A prompt embedding stored with its entry. `scope` is a hash of everything in the request but
 * the last user text (provider, endpoint, base URL, namespace, every other parameter): only
 * entries of one scope may ever match each other.
 */
export interface SemanticVector {
  scope: string;
  vector: Float32Array;
}

/**
 * One stored vector, as listed by {@link Store.vectorsSince}: its compact code when the store
 * keeps one (a few times smaller than the vector, and all an index needs to hold), else the
 * vector itself.
 */
export interface StoredVector {
  key: string;
  createdAt: number;
  /** The code written by `encodeVector` (`src/cache/vector-code.ts`) when the entry was stored. */
  code?: Uint8Array;
  vector?: Float32Array;
}

/**
 * Stored vectors of one scope listed in bulk, as {@link Store.vectorBatchesSince} hands them
 * over: `count` codes of `codeBytes` bytes each, back to back in `codes`, with their keys and
 * write times at the same positions. An index copies the codes straight into its own arrays.
 */
export interface VectorBatch {
  count: number;
  keys: readonly string[];
  createdAt: ArrayLike<number>;
  codeBytes: number;
  /**
   * `codes` holds each code's header only (its first `CODE_HEADER_BYTES`, back to back), as asked
   * for with `headsOnly`; `codeBytes` is still the whole codes' length.
   */
  headsOnly?: boolean;
  codes: Uint8Array;
  /**
   * When every key of the batch is a SHA-256 hex digest (as cache keys are), a store may also give
   * them as their 32 bytes, back to back: an index reads them as they are, without making 100,000
   * strings on a cold load (the batch makes `keys` only when they are read).
   */
  digests?: Uint8Array;
}

/** How {@link Store.vectorBatchesSince} lists. */
export interface VectorBatchOptions {
  /**
   * The codes' headers only (scale, error bound, sketch: what a scan needs to rule a vector out),
   * a thirtieth of the bytes: a scope is searchable once they are read, and its bytes follow.
   * A store may list whole codes anyway; the batches say which they hold. A store may also list
   * headers kept apart from its entries (Redis): in write order, a key again after each rewrite
   * (its last listing counts), and headers of entries gone since. A reader reads a vector's code
   * and entry before trusting it, and a whole listing tells it which vectors are still stored.
   * @default false
   */
  headsOnly?: boolean;
}

/** Which entries a store removes in `flush`. */
export interface StoreFlushFilter {
  model?: string;
  /** Only entries of this namespace, `""` meaning those written without one; every namespace when undefined. */
  namespace?: string;
  /** Predicate over the stored prompt (≤200 chars). */
  matchPrompt?: (prompt: string) => boolean;
}

/** Options for one write. */
export interface StoreSetOptions {
  /** Seconds after which the backend may drop the entry by itself (prod mode). */
  ttlSeconds?: number;
}

/** One entry of a batched write ({@link Store.setMany}) with its own options. */
export interface StoreWrite extends StoreSetOptions {
  entry: CacheEntry;
}

/**
 * A cache backend. Stores only keep and find entries: lookup policy, TTL, coalescing and
 * logging live in the engine. Methods may throw; the engine turns faults into pass-through.
 */
export interface Store {
  /** Backend name, used in warnings. */
  readonly name: string;
  /** Where the data lives, for warnings: a file path, or a URL with its password masked. */
  readonly location?: string;
  get(key: string): Promise<CacheEntry | undefined>;
  /**
   * Optional: `get`, answered without a promise when the store can answer at once (a store whose
   * reads are synchronous: SQLite, memory). A promise when it must wait first.
   */
  getNow?(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  set(entry: CacheEntry, options?: StoreSetOptions): Promise<void>;
  /**
   * Optional: writes several entries at once, as `set` writes each (in order: of two writes of
   * one key, the later wins), in one transaction or round trip; all or none are written. The
   * engine writes the answers of a moment in one batch with it. What a store can do before it
   * returns the promise, it does then (SQLite and memory write; Redis, connected, sends the
   * commands): the entries still pending when the process stops are written from its exit hooks.
   */
  setMany?(writes: readonly StoreWrite[]): Promise<void>;
  /**
   * Optional: true while a write costs more now than a few milliseconds later (SQLite: a
   * checkpoint of the file runs on the checkpoint thread, see `ReopeningFile.checkpointing`). The
   * engine's write-behind queue holds its next batch meanwhile, for a few milliseconds at most.
   */
  writesWait?(): boolean;
  delete(key: string): Promise<boolean>;
  /** Removes matching entries; returns how many. */
  flush(filter?: StoreFlushFilter): Promise<number>;
  /** Releases files and connections. */
  close(): Promise<void>;

  /**
   * Optional (semantic caching): vectors of one scope whose entries were written at or after
   * `since` (ms since the epoch), oldest first. Lets an in-memory index load a scope once and
   * then pick up what other processes wrote. Entries removed by `delete` or `flush` are not listed.
   * A store that persists vectors lists codes, read in bulk, rather than the vectors themselves;
   * the exact vector of an entry comes back with `get`.
   */
  vectorsSince?(scope: string, since: number): Promise<StoredVector[]>;
  /**
   * Optional, beside {@link Store.vectorsSince}: the same listing, in batches of codes of one
   * length handed to `each` as the store reads them, so an index copies a few large buffers
   * rather than one value a vector, and never holds every listed code at once (a scope
   * of 100,000 codes is 160 MB). An index prefers it when a store has it. Codes are listed as
   * stored, whatever their format; a vector stored without one is listed with its code computed.
   * A batch's arrays may be reused for the next one once `each` returns: copy what is kept.
   */
  vectorBatchesSince?(scope: string, since: number, each: (batch: VectorBatch) => void, options?: VectorBatchOptions): Promise<void>;
  /**
   * Optional, with `headsOnly` listings: the whole codes of `keys` (those still stored), in
   * batches, so an index can score vectors whose bytes it has not read yet as it scores the rest.
   */
  vectorCodes?(keys: readonly string[], each: (batch: VectorBatch) => void): Promise<void>;

  /**
   * Optional (coalescing across processes, with {@link Store.renewLock} and
   * {@link Store.releaseLock}): takes a short lock named `key` for `ttlMs`. Resolves true when
   * this caller holds it; a holder that crashes loses it when it expires.
   */
  acquireLock?(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Extends a lock this caller holds to `ttlMs` from now. Resolves false when it holds it no
   * longer (it expired, and may be someone else's): then nothing changes.
   */
  renewLock?(key: string, ttlMs: number): Promise<boolean>;
  /** Releases a lock this caller holds. */
  releaseLock?(key: string): Promise<void>;
}
