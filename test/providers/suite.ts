/**
 * The provider conformance suite: what every cached method of every SDK must do, run through the
 * real SDK against the simulator, as `test/stores/suite.ts` is for every store.
 *
 * A method is described by a {@link Surface}: how to make its client, call it with a prompt and
 * ecoai's per-call options, read what a caller compares (text, tool calls, finish reason, usage),
 * which simulator route its requests reach, how to provoke its non-answers, and which cases it
 * skips and why. Each provider file (`openai.test.ts`, `anthropic.test.ts`, …) describes its
 * SDK's methods, calls `runProviderSuite(up, surface)` for each, and keeps only its own quirks.
 * The cases live in `suite-calls.ts` (hits, coalescing, usage rows), `suite-answers.ts` (errors,
 * non-answers, stored shapes) and `suite-options.ts` (per-call options); their titles and the
 * names skips use are {@link SUITE_CASES}.
 *
 * Streamed surfaces are more surfaces, running the same cases. A streamed surface spreads the
 * plain one (client, route, model, errors, foreign answer) and changes how a call is made and read:
 * - `call` makes the streamed call, asserts the SDK's own stream class (`Stream`,
 *   `ChatCompletionStream`, `MessageStream`, the generator of `GenerateContentResponse`s), reads
 *   it to the end as a caller would, and resolves to what the caller saw, the SDK's objects kept
 *   (e.g. `{ chunks, final }`): the hit cases then compare a hit's events with a live stream's.
 * - `read` gives the text, tool calls, finish reason and usage the events add up to, so the cases
 *   that compare readings (repeat, coalescing, refresh, namespaces, errors) hold as they are.
 * - `nonAnswers` and `answers` keep their requests and test the final object, e.g.
 *   `chat.nonAnswers.map((o) => ({ ...o, is: (seen) => o.is(seen.final) }))`.
 * - An error status from `sim.failNext` rejects a streamed call before its first event, as it
 *   rejects a plain one; `receivedOnly` names what the stream's objects read from the response.
 *
 * @example A streamed surface, beside the plain `chat` one
 * ```ts
 * runProviderSuite<OpenAI, ChatCompletionCreateParamsNonStreaming, { chunks: ChatCompletionChunk[] }>(up, {
 *   ...chat,
 *   name: "openai chat.completions.create({ stream: true })",
 *   async call(client, request, ecoai) {
 *     const stream = await client.chat.completions.create({ ...request, stream: true }, ecoai && { ecoai });
 *     expect(stream).toBeInstanceOf(Stream);
 *     const chunks: ChatCompletionChunk[] = [];
 *     for await (const chunk of stream) chunks.push(chunk);
 *     return { chunks };
 *   },
 *   read: ({ chunks }) => ({ text: chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), … }),
 *   nonAnswers: …, answers: …, receivedOnly: [],
 * });
 * ```
 *
 * Cases only a stream has (a stream abandoned after two events, aborted, or cut off by
 * `sim.failNextStream` is not stored; a streamed and a plain call are served from one entry, both
 * ways; followers of a coalesced stream receive every event) take a streamed surface and its plain
 * counterpart: a second entry point beside `runProviderSuite`, in its own file, built on
 * {@link createSuiteContext} (its case names join {@link SUITE_CASES}, so skips can name them),
 * and called by the same provider files.
 *
 * @module
 */
import { describe, test } from "bun:test";
import type { CallOptions, PromptType, Provider, SupportedClient, EcoAI } from "../../src/index.ts";
import type { Simulator } from "../../src/simulator/index.ts";
import type { TokenUsage } from "../../src/types.ts";
import type { Upstream } from "../harness.ts";
import { answerCases } from "./suite-answers.ts";
import { callCases } from "./suite-calls.ts";
import { optionCases } from "./suite-options.ts";

/** What a caller reads from one result, through the SDK's own getters where it has them. */
export interface Reading {
  /** The id the provider gave the answer, new for every upstream answer; absent where answers carry none. */
  id?: string;
  /** The answer's text (for images, their base64 data). */
  text: string;
  toolCalls: { name: string; arguments: unknown }[];
  /** As the provider names it (`stop`, `end_turn`, `STOP`…); empty where it has none. */
  finishReason: string;
  /** What the answer cost, as billed: all input tokens (prompt-cache reads included), output tokens, images. */
  usage: TokenUsage;
}

/** A request with a known outcome, and how to tell the outcome came. */
export interface Outcome<Request, Result> {
  name: string;
  request(prompt: string): Request;
  /** Whether `result` is that outcome, so a case never passes on a simulator that stopped producing it. */
  is(result: Result): boolean;
}

/** An error status the simulator answers with (`sim.failNext`) and the SDK's class for it. */
export interface ErrorCase {
  status: number;
  type: abstract new (...args: never[]) => Error;
}

/** The cases of the suite, by the names a {@link Skip} uses. */
export const SUITE_CASES = {
  repeat: "a repeated call makes no upstream request; each call is one usage row",
  hit: "the hit holds the live result: same classes, data and readings, a copy the caller may change",
  restart: "a hit served by a new instance on the same cache files holds the live result too",
  hiddenProperties: "what the SDK hides on a live result (request ids, usage getters) is on a hit too",
  coalescing: "concurrent identical calls make one upstream request; every caller gets the answer",
  coalescedError: "concurrent identical calls share the SDK's error of the one upstream request",
  errors: "the SDK's own errors are re-thrown unchanged and not cached",
  nonAnswers: "non-answers are returned, never cached",
  answers: "edge-case answers are cached and served as they came",
  usage: "usage rows: provider, model, prompt type, tokens, savings priced as billed",
  bypass: "bypass goes upstream, neither reads nor writes the cache, and is logged",
  refresh: "refresh goes upstream and replaces the stored answer",
  ttl: "ttl per call limits the age of what the call is served",
  namespace: "namespaces never share answers",
  semanticOff: "semantic: false per call forces exact matching",
  stripped: "the ecoai options never reach the wire",
  badOptions: "bad per-call options are rejected, naming them, before any request",
  storedShape: "a stored body without the method's response shape is removed and never served",
  abandoned: "a stream abandoned after two events is not stored",
  aborted: "a stream aborted by its caller's signal is not stored",
  cutOff: "a stream cut off or failed by the server is not stored",
  crossServed: "a streamed and a plain call are served from one entry, both ways, with the same text, tool calls, finish reason and usage",
  followers: "10 concurrent identical streams make 1 upstream request; every follower receives every event, live",
  replay: "a hit replays the recorded events at once or with their gaps (replay option), validated",
} as const;

export type SuiteCase = keyof typeof SUITE_CASES;

/** Cases a surface does not run, and why (as in hono's `runTest({ skip })`). */
export interface Skip {
  reason: string;
  tests: readonly SuiteCase[];
}

/**
 * One cached method of one SDK, as the suite drives it.
 *
 * @example
 * ```ts
 * runProviderSuite(up, {
 *   name: "openai chat.completions.create",
 *   provider: "openai", route: "openai.chat.completions", model: "gpt-4o",
 *   client: (sim, headers) => new OpenAI({ baseURL: sim.openaiBaseURL, apiKey, maxRetries: 0, defaultHeaders: headers }),
 *   request: (prompt) => ({ model: "gpt-4o", messages: [{ role: "user", content: prompt }] }),
 *   call: (client, request, ecoai) => client.chat.completions.create(request, ecoai && { ecoai }),
 *   …
 * });
 * ```
 */
export interface Surface<C extends SupportedClient = SupportedClient, Request = unknown, Result = unknown> {
  /** The method as test titles name it, e.g. `openai chat.completions.create`. */
  name: string;
  provider: Provider;
  /**
   * The simulator route its requests reach, counted to prove a call made none. A streamed surface
   * may reach another route than its plain counterpart (Gemini's `streamGenerateContent` beside
   * `generateContent`): the cases that mix the two count both.
   */
  route: string;
  /** The model its requests name, as usage rows record it. */
  model: string;
  /** The prompt type of `request(prompt)`. */
  promptType: PromptType;
  /** A new SDK client pointed at the simulator, sending `headers` with every request. */
  client(sim: Simulator, headers?: Record<string, string>): C;
  /** A plain request whose last user text is `prompt`; a new one every time (SDKs mutate and consume requests). */
  request(prompt: string): Request;
  /** One call of the method, with ecoai's per-call options when given (none at all otherwise). */
  call(client: EcoAI<C>, request: Request, ecoai?: CallOptions): Promise<Result>;
  read(result: Result): Reading;
  /** Properties the SDK sets from the HTTP response (request ids): a hit has them, set to null. */
  receivedOnly: readonly string[];
  /** Statuses `sim.failNext` answers with; the first is also used for the coalesced error. */
  errors: readonly [ErrorCase, ...ErrorCase[]];
  /** Requests answered with something that is not an answer (refusal, filter, failed generation, invalid JSON). */
  nonAnswers: readonly Outcome<Request, Result>[];
  /** Requests answered at an edge that is still an answer (a length stop, a tool call, valid JSON). */
  answers: readonly Outcome<Request, Result>[];
  /** Another method's answer, planted under this method's key: a stored body of the wrong shape. */
  foreign: unknown;
  /** Whether the provider reports input tokens it served from its prompt cache (the simulator's `x-sim-cached-tokens`). */
  promptCache: boolean;
  skip?: readonly Skip[];
}

/** What every case gets: the test file's simulator and temp folder, the surface, and shortcuts. */
export interface SuiteContext<C extends SupportedClient, Request, Result> {
  up: Upstream;
  surface: Surface<C, Request, Result>;
  /** A new EcoAI (own cache and log files unless `name` is shared) around the file's client of this surface. */
  wrap(config?: Parameters<Upstream["wrap"]>[1], name?: string, client?: C): EcoAI<C>;
  /** One call of `request(prompt)` through `eco`. */
  ask(eco: EcoAI<C>, prompt: string, ecoai?: CallOptions): Promise<Result>;
  /** Upstream requests on the surface's route while `run` runs. */
  upstream(run: () => Promise<unknown>): Promise<number>;
  /** Declares one case, skipped with its reason when the surface says so. */
  it(name: SuiteCase, run: () => Promise<void>): void;
}

/**
 * Runs every case for one surface. Call it at the top level of a test file, with that file's `useUpstream()`.
 */
export function runProviderSuite<C extends SupportedClient, Request, Result>(up: Upstream, surface: Surface<C, Request, Result>): void {
  const context = createSuiteContext(up, surface);
  describe(`${surface.name}: provider conformance`, () => {
    callCases(context);
    answerCases(context);
    optionCases(context);
  });
}

/** The shortcuts every case uses, for one surface; the SDK client is made once and shared. */
export function createSuiteContext<C extends SupportedClient, Request, Result>(up: Upstream, surface: Surface<C, Request, Result>): SuiteContext<C, Request, Result> {
  const skipped = new Map<SuiteCase, string>();
  for (const { reason, tests } of surface.skip ?? []) for (const name of tests) skipped.set(name, reason);
  let shared: C | undefined;
  return {
    up,
    surface,
    wrap: (config = {}, name, client) => up.wrap((client ?? (shared ??= surface.client(up.sim))) as C, config as never, name) as EcoAI<C>,
    ask: (eco, prompt, ecoai) => surface.call(eco, surface.request(prompt), ecoai),
    async upstream(run) {
      const before = up.sim.count(surface.route);
      await run();
      return up.sim.count(surface.route) - before;
    },
    it(name, run) {
      const reason = skipped.get(name);
      if (reason === undefined) test(SUITE_CASES[name], run);
      else test.skip(`${SUITE_CASES[name]} (skipped: ${reason})`, run);
    },
  };
}

/** Whether `text` parses as JSON, for telling valid structured output from invalid. */
export function isJson(text: string | null | undefined): boolean {
  try {
    JSON.parse(text ?? "");
    return true;
  } catch {
    return false;
  }
}
