/**
 * The engine's path for a call that does not stream: lookup, then an identical call in flight to
 * wait on (this process's, then another process's sharing the store), then semantic matching,
 * then the provider; the answer is handed to the write-behind queue and the call logged once.
 *
 * @module
 */
import type { CacheEntry } from "../stores/store.ts";
import type { CachedCall, EngineServices, EngineSettings, Settled } from "./cached-call.ts";
import { isPromise, prepared } from "./cached-call.ts";
import { createInProcessCoalescing } from "./in-process-coalescing.ts";
import type { createPeerCoalescing } from "./peer-coalescing.ts";
import { patienceFor, type Patience } from "./patience.ts";
import { withCheckCost } from "./semantic-checks.ts";
import { readEntryBody } from "./stream-entry.ts";

/** What the plain path needs beside the services every call path is lent. */
export interface PlainCallEngine extends EngineServices {
  /** Coalescing across processes, with a store that has locks. */
  peers: ReturnType<typeof createPeerCoalescing> | undefined;
  /** Calls upstream without the cache (a request with no key); logs the call. */
  passThrough(call: CachedCall, startedAt: number): unknown;
  /** The call's key; null for a request JSON cannot encode. */
  keyOf(call: CachedCall, namespace: string): string | null;
}

/** The engine's plain calls, sharing one registry of identical calls in flight. */
export function createPlainCalls(engine: PlainCallEngine) {
  const leaders = createInProcessCoalescing<Settled>();

  /**
   * Runs a miss unless another process sharing the store answers it first: with a store that has
   * locks, identical misses across processes make one upstream request (see peer-coalescing.ts).
   * The wait for the other process ends when the caller gives up (its signal, its timeout).
   */
  async function coalescedAcrossProcesses(key: string, call: CachedCall, settings: EngineSettings, patience: Patience, miss: () => Promise<Settled>): Promise<Settled> {
    const { peers } = engine;
    const claim = call.options.refresh || !peers ? undefined : await patience.wait(peers.claim(key, (entry) => engine.isFresh(entry, call, settings), patience.stopped));
    if (claim?.entry) {
      const response = await engine.serve(claim.entry, call);
      if (response !== undefined) return { response, body: claim.entry.body, usage: engine.hitUsage(call, claim.entry.usage, response), facts: claim.entry, hit: true, storedAt: claim.entry.createdAt };
    }
    let settled: Settled | undefined;
    try {
      return (settled = await miss());
    } finally {
      // Held until the entry is written, so that a process waiting on the lock then finds it;
      // releasing never delays the caller (and never rejects).
      if (claim) {
        const release = () => void claim.release();
        if (settled?.written) engine.track(settled.written.then(release));
        else release();
      }
    }
  }

  /**
   * Runs a cached plain call: the SDK's response (a hit's rebuilt from its entry), returned as it
   * is when the hit needed no waiting (the store and the rebuild answered at once), else a promise
   * of it. Every failure is a rejected promise, never a throw.
   */
  function run(input: CachedCall, settings: EngineSettings, startedAt: number): unknown {
    if (input.method.prepare) return prepared(input, input.method.prepare).then((call) => keyed(call, settings, startedAt));
    try {
      return keyed(input, settings, startedAt);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The call keyed and looked up; the rest waits only for what must be waited for. */
  function keyed(call: CachedCall, settings: EngineSettings, startedAt: number): unknown {
    const patience = patienceFor(call.limits, startedAt);
    const namespace = call.options.namespace ?? settings.namespace;
    // The key covers everything sent (params and wire), so identical calls share a leader only
    // when their requests are identical. A request JSON cannot encode (a cycle, a BigInt) has no
    // key: the SDK reports it.
    const key = engine.keyOf(call, namespace);
    if (key === null) return Promise.resolve(engine.passThrough(call, startedAt));
    const lookup: Lookup = { call, settings, startedAt, patience, namespace, key };
    if (call.options.refresh) return missed(lookup);
    // Awaited only when the store must wait: a hit then settles in one step.
    const found = engine.get(key);
    return isPromise(found) ? Promise.resolve(found).then((entry) => lookedUp(lookup, entry)) : lookedUp(lookup, found);
  }

  /** A hit when the entry found is fresh and readable (a promise only when its rebuild waits), else the miss's path. */
  function lookedUp(lookup: Lookup, entry: CacheEntry | undefined): unknown {
    const { call, settings } = lookup;
    if (!entry || !engine.isFresh(entry, call, settings)) return missed(lookup);
    const served = engine.serve(entry, call);
    if (isPromise(served)) return Promise.resolve(served).then((response) => (response === undefined ? missed(lookup) : hit(lookup, entry, response)));
    return served === undefined ? missed(lookup) : hit(lookup, entry, served);
  }

  /** The hit's response, logged; a rejected promise when the caller has given up. */
  function hit(lookup: Lookup, entry: CacheEntry, response: unknown): unknown {
    const { call, key, startedAt, patience } = lookup;
    // A hit is as quick as the SDK's own check of the signal, which it makes before sending.
    const aborted = patience.check();
    if (aborted) return aborted;
    engine.log(call, entry, key, startedAt, engine.hitUsage(call, entry.usage, response), true);
    return response;
  }

  /** No stored answer served: an identical call in flight is waited on, else this call leads and goes upstream. */
  async function missed({ call, settings, startedAt, patience, namespace, key }: Lookup): Promise<unknown> {
    if (!call.options.refresh) {
      // Nothing is awaited from here until this call leads: identical calls whose lookups resume
      // in the same turn find it as their leader. A waiter takes no stored answer its own options
      // rule out: a semantic one, or one too old.
      const acceptable = (shared: Settled) =>
        (shared.semanticKey === undefined || call.options.semantic !== false) && (shared.storedAt === undefined || shared.storedAt > engine.freshAfter(call, settings));
      for (let leader = leaders.join(key, acceptable); leader; leader = leaders.join(key, acceptable)) {
        const shared = await patience.wait(leader);
        if (!shared) continue;
        engine.log(call, shared.facts, key, startedAt, shared.usage, true, { semanticKey: shared.semanticKey, semanticScore: shared.semanticScore, semanticPrompt: shared.semanticPrompt });
        return call.method.rebuild(readEntryBody(shared.body).response);
      }
    }

    const upstream = coalescedAcrossProcesses(key, call, settings, patience, async (): Promise<Settled> => {
      // Semantic matching: the prompt is embedded once, to look for a similar stored prompt and
      // to store with the answer. A semantic hit is never written under this request's key.
      const semantic = engine.semantic();
      const request = semantic?.request(call, namespace);
      const embedding = request && (await semantic!.embed(request));
      const plan = request && embedding && !call.options.refresh ? await semantic!.plan(request, embedding, engine.freshAfter(call, settings)) : undefined;
      if (plan?.action === "serve") {
        const { entry: similar, score } = plan.candidate;
        const response = await engine.serve(similar, call);
        if (response !== undefined) {
          const found = { semanticKey: similar.key, semanticScore: score, semanticPrompt: similar.prompt };
          return { response, body: similar.body, usage: engine.hitUsage(call, similar.usage, response), facts: engine.describe(call), ...found, storedAt: similar.createdAt, embedding };
        }
      }

      const response = await call.send();
      const usage = call.method.usage(response, call.params);
      const body = JSON.stringify(response);
      const facts = engine.describe(call);
      const answer = call.method.isAnswer(response, call.params);
      const similar = request && embedding ? { request, embedding, semantic: semantic! } : undefined;
      const written = answer ? engine.write(call, key, namespace, settings, body, usage, facts, similar) : undefined;
      // Semantic matching reads what it matches from the store: its entries land before the answer.
      if (written && similar) await written;
      // A match not served (verified and shadow modes) is checked against the provider's answer.
      const check = plan?.action === "check" && answer ? await semantic!.check(plan, request!, response, settings.mode === "prod" ? engine.maxAgeSeconds(call, settings) : undefined) : undefined;
      return { response, body, usage, facts, embedding: withCheckCost(embedding, check), check: check?.facts, written };
    });
    const settled = await leaders.lead(key, upstream);
    // A stored answer (another process's, a similar prompt's) is a hit: an aborted signal fails it.
    if (settled.hit || settled.semanticKey !== undefined) await patience.check();
    engine.log(call, settled.facts, key, startedAt, settled.usage, settled.hit === true || settled.semanticKey !== undefined, settled);
    return settled.response;
  }

  return run;
}

/** A plain call once keyed: what each step of its path reads. */
interface Lookup {
  call: CachedCall;
  settings: EngineSettings;
  startedAt: number;
  patience: Patience;
  namespace: string;
  key: string;
}
