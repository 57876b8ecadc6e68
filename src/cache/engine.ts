import type { CacheEntry, Store, StoreFlushFilter } from "../stores/store.ts";
import type { Logger, TokenUsage } from "../types.ts";
import type { UsageSink } from "../usage/sinks.ts";
import { isPromise, type CachedCall, type EngineServices, type EngineSettings, type RequestFacts, type SemanticFacts, type SimilarPrompt } from "./cached-call.ts";
import { hitUsage, usageRecord } from "./call-usage.ts";
import { createFaultReporter, describeFault, type FaultKind } from "./faults.ts";
import { requestKey } from "./key.ts";
import { createPeerCoalescing, hasLocks } from "./peer-coalescing.ts";
import type { SemanticCache } from "./semantic.ts";
import { createPlainCalls } from "./plain-call.ts";
import { createStreamCalls } from "./stream-call.ts";
import { createResponseCopies } from "./response-copies.ts";
import { createWriteBehind } from "./write-behind.ts";

export type { CachedCall, EngineSettings } from "./cached-call.ts";

export interface CacheEngineOptions {
  /** Undefined when the store could not be opened: every call then passes through. */
  store: Store | undefined;
  /** Where each call is reported: the usage log, telemetry. */
  usageLog: UsageSink | undefined;
  logger: Logger;
  settings: () => EngineSettings;
  /** Semantic matching when it is on (the settings file may switch it while running). */
  semantic?: () => SemanticCache | undefined;
}

/**
 * The one copy of the cache logic: key, lookup, freshness, coalescing of identical misses,
 * writes, and a usage row per call. A storage fault never reaches the caller: the call passes
 * through to the provider and the fault is reported once per outage.
 */
export function createCacheEngine(options: CacheEngineOptions) {
  const { store, usageLog } = options;
  /** Every call not yet settled, hit, miss or pass-through. */
  const active = new Set<Promise<unknown>>();
  const storeFault = createFaultReporter(options.logger, `cache store ${store ? [store.name, store.location].filter(Boolean).join(" ") : ""}`.trim(), {
    meanwhileWriting: "answers are served from it but new ones are not stored",
  });
  // Only a store with locks coalesces across processes; without, a miss skips the claim altogether.
  const peers = store && hasLocks(store) ? createPeerCoalescing(store, guarded) : undefined;
  /** Entries are written after their callers are answered, a turn's entries together. */
  const writes = store && createWriteBehind(store, async (write) => (await guarded(async () => (await write(), true), "write")) === true);
  /** Set by `close()`: work that starts after it (a stream's write) is dropped. */
  let closing = false;
  const services: EngineServices = {
    get: lookup,
    isFresh,
    freshAfter,
    maxAgeSeconds,
    serve,
    hitUsage,
    describe,
    semantic: () => options.semantic?.(),
    write,
    log,
    track,
    closing: () => closing,
  };
  const streamed = createStreamCalls(services);
  const run = createPlainCalls({ ...services, peers, passThrough, keyOf });
  /** The responses of stored entries, each hit given its own copy. */
  const responses = createResponseCopies();
  /** Corrupt entries are reported once: one is worth a warning, each of a thousand is not. */
  let corruptReported = false;

  /**
   * Runs a store operation; a fault becomes `undefined` (the call goes on without the cache) and is
   * reported once per outage. Reads and writes are told apart: a store that reads but cannot write
   * (a full disk) is one outage, not one per call.
   */
  async function guarded<T>(operation: () => Promise<T>, kind: FaultKind = "read"): Promise<T | undefined> {
    try {
      const result = await operation();
      storeFault.ok(kind);
      return result;
    } catch (error) {
      storeFault.failed(error, kind);
      return undefined;
    }
  }

  /**
   * The entry for `key`: one this instance answered and has not yet written (newer than any it
   * wrote), else the stored one. A store that cannot be read is not used at all, pending entries
   * included: the call then goes to the provider. A pending entry whose write lands while the
   * store is being read is still served: the read may have been made before the write.
   */
  function lookup(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    const pendingBefore = writes!.pending(key);
    // `guarded` for a read, written out: every hit comes through here, with no promise to spare.
    let reading: CacheEntry | undefined | Promise<CacheEntry | undefined>;
    try {
      reading = store!.getNow ? store!.getNow(key) : store!.get(key);
    } catch (error) {
      storeFault.failed(error, "read");
      return undefined;
    }
    if (!isPromise(reading)) {
      storeFault.ok("read");
      return writes!.pending(key) ?? pendingBefore ?? reading;
    }
    return reading.then(
      (entry) => {
        storeFault.ok("read");
        return writes!.pending(key) ?? pendingBefore ?? entry;
      },
      (error: unknown) => {
        storeFault.failed(error, "read");
        return undefined;
      },
    );
  }

  /** What a log row and a cache entry say about the request; a hit reuses what its entry stored. */
  function describe(call: CachedCall): RequestFacts {
    return {
      model: call.method.model(call.params),
      prompt: call.method.promptText(call.params).slice(0, 200),
      promptType: call.method.promptType(call.params),
    };
  }

  /** Reports the call to the usage log and telemetry. */
  function log(call: CachedCall, facts: RequestFacts, key: string | null, startedAt: number, usage: TokenUsage, hit: boolean, semantic: SemanticFacts = NO_SEMANTIC_FACTS): void {
    if (!usageLog) return;
    const record = usageRecord(call, facts, key, call.options.namespace ?? options.settings().namespace, startedAt, usage, hit, semantic);
    try {
      usageLog.record(record);
    } catch (error) {
      // The log itself rides out its faults; only a closed log refuses a row, and the call still succeeds.
      options.logger.warn(`[ecoai] a usage row was not recorded: ${describeFault(error)}`, error);
    }
  }

  /** Calls upstream without touching the cache and returns what the SDK returns; logs the call as a miss once it is answered. */
  function passThrough(call: CachedCall, startedAt: number): unknown {
    const own = call.sendUntouched ? call.sendUntouched() : call.send();
    track(
      Promise.resolve(own).then((response) => {
        const usage = call.method.bypass(call.params) ? ZERO_USAGE : call.method.usage(response, call.params);
        log(call, describe(call), null, startedAt, usage, false);
      }),
    );
    return own;
  }

  function isFresh(entry: CacheEntry, call: CachedCall, settings: EngineSettings): boolean {
    return entry.createdAt > freshAfter(call, settings);
  }

  /** The instant (ms since the epoch) after which an entry must have been written to serve this call. */
  function freshAfter(call: CachedCall, settings: EngineSettings): number {
    const maxAge = maxAgeSeconds(call, settings);
    // Entries that never expire (dev mode) are fresh whatever the time: no clock read for them.
    return maxAge === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : Date.now() - maxAge * 1000;
  }

  function maxAgeSeconds(call: CachedCall, settings: EngineSettings): number {
    if (call.options.ttl !== undefined) return call.options.ttl;
    if (settings.mode === "dev") return Number.POSITIVE_INFINITY;
    return settings.ttlByModel[call.method.model(call.params)] ?? settings.ttl;
  }

  /**
   * A stored entry rebuilt for the caller, or undefined when it is corrupt: not JSON, or not the
   * shape of its method's response (`null`, `{}`, an empty `choices`, another provider's
   * answer). A corrupt row is removed, the call is a miss, and the first one is reported.
   */
  function serve(entry: CacheEntry, call: CachedCall): unknown {
    const { method } = call;
    if (method.copiesRebuilt) {
      const kept = responses.rebuilt(entry.body, method.rebuild);
      if (kept !== undefined) return kept;
    }
    let problem: string;
    try {
      const stored = responses.of(entry.body);
      if (method.isResponse(stored)) {
        const rebuilt = method.rebuild(stored);
        // Most methods rebuild at once; one that returns a promise is awaited, so its failure is a corrupt entry too.
        if (isPromise(rebuilt)) return Promise.resolve(rebuilt).catch((error: unknown) => removeCorrupt(entry, error instanceof Error ? error.message : String(error)));
        // Kept before the caller has it: what it does to its response changes no later hit.
        if (method.copiesRebuilt) responses.keepRebuilt(entry.body, method.rebuild, rebuilt);
        return rebuilt;
      }
      problem = `not a ${method.endpoint} response`;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    return removeCorrupt(entry, problem);
  }

  async function removeCorrupt(entry: CacheEntry, problem: string): Promise<undefined> {
    if (!corruptReported) {
      corruptReported = true;
      options.logger.warn(`[ecoai] unreadable cache entry ${entry.key.slice(0, 12)}… in the ${store!.name} cache (${problem}) removed; the call goes to the provider. Further unreadable entries are removed without a warning.`);
    }
    await guarded(() => store!.delete(entry.key), "write");
    return undefined;
  }

  /** Keeps `close()` waiting until `settled` has settled (a call's usage row, a stream's end). */
  function track(settled: Promise<unknown>): void {
    const done = () => void active.delete(settled);
    active.add(settled);
    settled.then(done, done);
  }

  /** Whether a call may use the cache: the one place that decides cached, bypassed or passed through. */
  function usesCache(input: CachedCall, settings: EngineSettings): boolean {
    return store !== undefined && settings.cachingEnabled && input.options.bypass !== true && !input.method.bypass(input.params);
  }

  /**
   * Runs one call and returns what the SDK's call returns: a cached call's outcome (presented as
   * the SDK presents it), the SDK's own stream over the engine's answer, or, passed through, the
   * SDK's own value. Tracked until it settles so that `close()` waits for its usage row (a hit
   * answered at once has logged it already).
   */
  function call(input: CachedCall): unknown {
    const startedAt = input.startedAt ?? performance.now();
    const settings = options.settings();
    const stream = input.method.stream;
    if (stream && input.sendStreaming && stream.streams(input.params)) {
      const namespace = input.options.namespace ?? settings.namespace;
      return streamed(input, stream, settings, startedAt, usesCache(input, settings) ? keyOf(input, namespace) : null, namespace);
    }
    if (!usesCache(input, settings)) return passThrough(input, startedAt);
    const ran = run(input, settings, startedAt);
    let running: Promise<unknown>;
    if (isPromise(ran)) track((running = ran as Promise<unknown>));
    else running = Promise.resolve(ran);
    return input.present ? input.present(running) : running;
  }

  /** The call's key; null for a request JSON cannot encode (a cycle, a BigInt), which the SDK reports. */
  function keyOf(call: CachedCall, namespace: string): string | null {
    try {
      return requestKey(call, namespace, call.method.keyParams(call.params));
    } catch {
      return null;
    }
  }

  /**
   * Hands an answer (and its prompt embedding, for semantic matching) to the write-behind queue;
   * resolves true once it is written, false when a fault stopped the write.
   */
  function write(call: CachedCall, key: string, namespace: string, settings: EngineSettings, body: string, usage: TokenUsage, facts: RequestFacts, similar?: SimilarPrompt): Promise<boolean> {
    const entry: CacheEntry = {
      key,
      body,
      createdAt: Date.now(),
      provider: call.provider,
      endpoint: call.method.endpoint,
      namespace,
      ...facts,
      usage,
      ...(similar ? { semantic: { scope: similar.request.scope, vector: similar.embedding.vector } } : {}),
    };
    const written = writes!.enqueue({ entry, ttlSeconds: settings.mode === "prod" ? maxAgeSeconds(call, settings) : undefined });
    if (!similar) return written;
    // An entry with a prompt embedding is written at once, and matched by similar prompts once it
    // can be read back: semantic matching and its checks read entries from the store.
    void writes!.flush();
    return written.then((landed) => {
      if (landed) similar.semantic.remember(similar.request, entry, similar.embedding);
      return landed;
    });
  }

  return {
    call,
    /** Writes the answers handed to the cache so far and resolves once they are in the store (or failed). */
    async writePending(): Promise<void> {
      await writes?.flush();
    },
    /** Removes entries; 0 when the store is unavailable. */
    async flush(filter: StoreFlushFilter): Promise<number> {
      if (!store) return 0;
      // Answers not yet written are in the cache for every caller: written first, then removed with the rest.
      await writes!.flush();
      return store.flush(filter);
    },
    async close(): Promise<void> {
      closing = true;
      await Promise.allSettled(active);
      await writes?.close();
      await peers?.idle();
      try {
        await store?.close();
      } finally {
        // Bounded: waits at most a second for a peer's lock, and reports the rows it could not write.
        usageLog?.close();
      }
    },
  };
}

export type CacheEngine = ReturnType<typeof createCacheEngine>;

const NO_SEMANTIC_FACTS: SemanticFacts = {};

const ZERO_USAGE: TokenUsage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };
