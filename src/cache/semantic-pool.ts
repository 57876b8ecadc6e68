/**
 * The pooled prior of verified semantic caching, kept in the store beside the entries: the checks
 * of every entry of one vector space, so a process that starts (a restart, a deploy, a second
 * worker) decides as the ones before it did rather than distrusting every unchecked answer again.
 *
 * It is one record per vector space under a key no request hashes to, holding the newest
 * {@link POOL_KEPT} checks in the evidence format of an entry. Each process adds the checks it
 * makes to what the store holds (read, append, write): two processes writing at the same moment
 * may lose a few of each other's checks from the pool, never from the entries' own evidence.
 * @module
 */
import type { CacheEntry, Store } from "../stores/store.ts";
import { hashCacheKey } from "./key.ts";
import { createCheckPool, evidenceText, POOL_KEPT, readEvidence, type AnswerCheck, type CheckCounts } from "./semantic-evidence.ts";

/** The store key of the pool of vector space `space`. */
export function poolKey(space: string): string {
  return hashCacheKey({ ecoaiSemanticPool: space });
}

/**
 * The pool of one vector space, read from the store at the first decision that needs it and
 * written back after each check. A store fault leaves the pool to this process's memory, as it
 * was before pools were stored; it never fails a call.
 */
export function createStoredPool(store: Pick<Store, "get" | "set">, space: string) {
  const pool = createCheckPool();
  const key = poolKey(space);
  let loading: Promise<void> | undefined;
  /** Checks made here and not yet in the store. */
  let unsaved: AnswerCheck[] = [];
  let saving: Promise<void> = Promise.resolve();

  async function read(): Promise<AnswerCheck[] | undefined> {
    try {
      const entry = await store.get(key);
      return entry ? readEvidence(entry.evidence, POOL_KEPT) : [];
    } catch {
      return undefined;
    }
  }

  async function save(like: CacheEntry): Promise<void> {
    const stored = await read();
    if (stored === undefined) return;
    const adding = unsaved;
    unsaved = [];
    const checks = [...stored, ...adding].slice(-POOL_KEPT);
    pool.reset(checks);
    const record: CacheEntry = {
      key,
      body: "null",
      createdAt: Date.now(),
      provider: like.provider,
      endpoint: "ecoai.semantic-pool",
      model: like.model,
      namespace: "",
      prompt: "",
      promptType: "text",
      usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 },
      evidence: evidenceText(checks),
    };
    try {
      await store.set(record);
    } catch {
      // Kept in memory; the next check tries again with these.
      unsaved = [...adding, ...unsaved];
    }
  }

  return {
    /** Reads the stored pool once (again after a failed read); later calls wait for nothing. */
    ready(): Promise<void> {
      loading ??= read().then((stored) => {
        if (stored === undefined) loading = undefined;
        // Checks made while reading are kept after those the store held.
        else pool.reset([...stored, ...unsaved]);
      });
      return loading;
    },
    at(score: number): CheckCounts {
      return pool.at(score);
    },
    /** Adds a check of `entry`'s answer, and writes the pool back (one write at a time). */
    add(check: AnswerCheck, entry: CacheEntry): Promise<void> {
      pool.add(check);
      unsaved.push(check);
      saving = saving.then(() => save(entry));
      return saving;
    },
  };
}
