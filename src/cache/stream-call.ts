/**
 * How the engine routes a call that streams: its key, its lookups (exact, then similar), its
 * write and its usage row, handed to the stream path (stream-path.ts), which answers the SDK's
 * HTTP exchange. The key is the plain request's, so a stream and a plain call of one request
 * share an entry.
 *
 * @module
 */
import type { StreamedMethod } from "../providers/adapter.ts";
import type { CacheEntry } from "../stores/store.ts";
import type { CachedCall, EngineServices, EngineSettings, SemanticMatch, SimilarPrompt } from "./cached-call.ts";
import { withCheckCost, type SemanticCheckOutcome, type SemanticPlan } from "./semantic-checks.ts";
import { keptByBody } from "./kept-by-body.ts";
import { entryBody, readEntryBody } from "./stream-entry.ts";
import { createStreamPath, type StoredStream, type StreamRoute } from "./stream-path.ts";

/** The engine's streamed calls, sharing one registry of live streams that identical calls join. */
export function createStreamCalls(engine: EngineServices) {
  const streams = createStreamPath();
  /**
   * Stored bodies read back (the response and the recording), kept for the hits that replay them
   * again: read only, as the calls following one stream in flight already share what it found.
   */
  const readBodies = keptByBody<ReturnType<typeof readEntryBody>>();

  /**
   * Runs a streamed call with `key` (null: recorded for its usage, never stored or shared) and
   * returns what the SDK returns: its own stream over the engine's answer.
   */
  return function streamed(input: CachedCall, stream: StreamedMethod, settings: EngineSettings, startedAt: number, key: string | null, namespace: string): unknown {
    const facts = engine.describe(input);
    /** The prompt's embedding when semantic matching is on (paid for once, stored with the answer). */
    let similar: SimilarPrompt | undefined;
    /** The similar entry that answered, when one did. */
    let matched: SemanticMatch | undefined;
    /** A match not served (verified and shadow modes): checked against the live answer once it has streamed. */
    let checking: Extract<SemanticPlan, { action: "check" }> | undefined;
    /** A fresh stored entry read back; a corrupt one is removed and reported as `serve` does. */
    const readBack = async (entry: CacheEntry | undefined): Promise<StoredStream | undefined> => {
      if (!entry || !engine.isFresh(entry, input, settings)) return undefined;
      let read = readBodies.get(entry.body);
      if (read === undefined) {
        try {
          read = readEntryBody(entry.body);
          if (input.method.isResponse(read.response)) readBodies.set(entry.body, read);
        } catch {
          read = undefined;
        }
      }
      if (!read || !input.method.isResponse(read.response)) return (await engine.serve(entry, input), undefined);
      return { entry, ...read, usage: engine.hitUsage(input, entry.usage, read.response) };
    };
    const route: StreamRoute = {
      key,
      refresh: input.options.refresh === true,
      replay: input.options.replay ?? settings.replay,
      lookup: async () => readBack(await engine.get(key!)),
      accepts: (found) => engine.isFresh(found.entry, input, settings),
      async lookupSimilar() {
        const semantic = engine.semantic();
        const request = semantic?.request(input, namespace);
        const embedding = request && (await semantic!.embed(request));
        if (!request || !embedding) return undefined;
        similar = { request, embedding, semantic: semantic! };
        if (input.options.refresh) return undefined;
        const plan = await semantic!.plan(request, embedding, engine.freshAfter(input, settings));
        if (plan?.action === "check") checking = plan;
        const candidate = plan?.action === "serve" ? plan.candidate : undefined;
        const found = await readBack(candidate?.entry);
        if (found) matched = { semanticKey: found.entry.key, semanticScore: candidate!.score, semanticPrompt: found.entry.prompt };
        return found;
      },
      async store(response, recording, usage) {
        // A stream read to its end after close() is not stored: the store is closed.
        if (engine.closing()) return;
        const writing = engine.write(input, key!, namespace, settings, entryBody(response, recording), usage, facts, similar);
        engine.track(writing);
        await writing;
      },
      // A semantic hit is this request's, answered by another entry: its row names this prompt.
      log(usage, hit, entry, answer) {
        const row = (check?: SemanticCheckOutcome) =>
          engine.log(input, matched ? facts : (entry ?? facts), key, startedAt, usage, hit || matched !== undefined, { ...matched, embedding: withCheckCost(similar?.embedding, check), check: check?.facts });
        if (!checking || !similar || hit || answer === undefined) return row();
        // The match is checked against the answer that streamed live; the row waits for the outcome.
        const maxAge = settings.mode === "prod" ? engine.maxAgeSeconds(input, settings) : undefined;
        engine.track(similar.semantic.check(checking, similar.request, answer, maxAge).then(row, () => row()));
      },
      track: engine.track,
    };
    return streams.stream({ method: { ...input.method, stream }, params: input.params, sendStreaming: input.sendStreaming! }, route);
  };
}
