import { BaseCache, deserializeStoredGeneration, serializeGeneration } from "@langchain/core/caches";
import type { Generation } from "@langchain/core/outputs";
import type { CachedCall } from "../../cache/engine.ts";
import type { EcoAIConfig } from "../../config.ts";
import { EcoAIConfigError } from "../../errors.ts";
import { ASSERT_OPEN, EcoAIBase, ENGINE } from "../../eco-base.ts";
import type { FlushFilter, HistoryQuery, Mode, Provider, UsageRecord, UsageSummary } from "../../types.ts";
import { providerFamily } from "../provider-family.ts";
import { langChainEndpoint } from "./endpoint.ts";
import { llmStringParams } from "./llm-string.ts";
import { LANGCHAIN_GENERATIONS, langChainModel, langChainType, type LangChainRequest } from "./generations-method.ts";

/** Options of {@link EcoAICache}: those of `new EcoAI()` without `client`, plus `baseURL`. */
export interface EcoAICacheOptions extends Omit<EcoAIConfig, "client"> {
  /**
   * The endpoint of the chat models this cache serves whose llm string does not name theirs
   * (`ChatAnthropic` and every class but `ChatOpenAI`): it is part of every key, so two endpoints
   * never share answers. Without it such a model's calls fail with code
   * `ECOAI_LANGCHAIN_ENDPOINT_UNKNOWN`. One cache per endpoint; caches may share the same files.
   * @default none
   * @example new ChatAnthropic({ model: "claude-sonnet-4-5", cache: new EcoAICache({ baseURL: "https://api.anthropic.com" }) })
   */
  baseURL?: string;
}

/** Lookups that missed, waiting for LangChain to store what it generated; a failed generation never does, so the oldest are let go. */
const PENDING_MISSES_KEPT = 1024;

/** LLM strings whose reading is kept (a few models' call options, each handed to the cache on every call); past it the oldest is let go. */
const LLM_STRINGS_KEPT = 64;

/** What an llm string says of a call: its parameters (frozen, shared by the calls that hand it over), provider and endpoint. */
interface ModelCall {
  parameters: Record<string, unknown>;
  provider: Provider;
  baseURL: string;
}

/** The engine's answer to a lookup that found nothing: LangChain then generates and calls `update`. */
const MISSED = Symbol("ecoai.langchain.missed");

/** A generation as stored: LangChain's stored form, with its generation info (finish reason, log probabilities). */
type StoredGeneration = ReturnType<typeof serializeGeneration> & { generationInfo?: Record<string, unknown> };

/**
 * A LangChain cache backed by ecoai: give it to any `@langchain/core` chat model
 * (`new ChatOpenAI({ cache })`, `new ChatAnthropic({ cache })`…). Entries live in ecoai's stores
 * (SQLite, Redis, memory) under keys that hold the conversation, the model's parameters, its
 * endpoint and the call options, bound tools included; every call is a row of ecoai's usage log.
 * Models that do not tell a cache their endpoint (all but `ChatOpenAI`) need the cache's `baseURL`
 * option. See the README page `docs/langchain.md`.
 *
 * @example
 * import { ChatOpenAI } from "@langchain/openai";
 * import { EcoAICache } from "ecoai/langchain";
 *
 * const cache = new EcoAICache({ storage: "sqlite" });
 * const model = new ChatOpenAI({ model: "gpt-4o", cache });
 * await model.invoke("Name three prime numbers."); // the second run costs nothing
 * console.log(await cache.summary());
 */
export class EcoAICache extends BaseCache<Generation[]> {
  readonly #eco: EcoAIBase;
  readonly #baseURL: string | undefined;
  /** When each pending miss was looked up, so its row carries the generation's latency. */
  readonly #missedAt = new Map<string, number>();
  /**
   * The llm strings read lately: a model hands the cache the same string on every call, and
   * reading it (a scan of a few hundred characters and a JSON parse per parameter) took a fifth
   * of a hit's lookup.
   */
  readonly #modelCalls = new Map<string, ModelCall>();

  constructor(options: EcoAICacheOptions = {}) {
    super();
    const { baseURL, ...ecoOptions } = options;
    if (baseURL !== undefined && (typeof baseURL !== "string" || baseURL.trim() === "")) {
      throw new EcoAIConfigError("baseURL", baseURL, "constructor option", 'expected the endpoint the chat models call, e.g. "https://api.anthropic.com".');
    }
    this.#baseURL = baseURL;
    this.#eco = new EcoAIBase(ecoOptions);
  }

  /** The generations stored for this conversation and these model parameters, or null. */
  async lookup(prompt: string, llmString: string): Promise<Generation[] | null> {
    this.#eco[ASSERT_OPEN]("lookup");
    const startedAt = performance.now();
    try {
      const stored = await this.#eco[ENGINE].call(this.#call(prompt, llmString, () => Promise.reject(MISSED)));
      return (stored as StoredGeneration[]).map(restore);
    } catch (error) {
      if (error !== MISSED) throw error;
      this.#rememberMiss(`${llmString}\0${prompt}`, startedAt);
      return null;
    }
  }

  /** Stores what LangChain generated after a miss, and logs the call with its tokens. */
  async update(prompt: string, llmString: string, generations: Generation[]): Promise<void> {
    this.#eco[ASSERT_OPEN]("update");
    const pending = `${llmString}\0${prompt}`;
    const startedAt = this.#missedAt.get(pending);
    this.#missedAt.delete(pending);
    const stored: StoredGeneration[] = generations.map((generation) => ({ ...serializeGeneration(generation), generationInfo: generation.generationInfo }));
    // `refresh`: the answer was just generated, so the store is written, never read.
    const call = this.#call(prompt, llmString, async () => stored);
    await this.#eco[ENGINE].call({ ...call, options: { ...call.options, refresh: true }, startedAt });
  }

  #call(prompt: string, llmString: string, send: () => Promise<unknown>): CachedCall {
    const { parameters, provider, baseURL } = this.#modelCall(llmString);
    const params: LangChainRequest = { prompt, parameters };
    return { provider, baseURL, wire: {}, method: LANGCHAIN_GENERATIONS, params, options: {}, send };
  }

  /** What `llmString` says of a call; throws, each time, when it names no endpoint and the cache has none. */
  #modelCall(llmString: string): ModelCall {
    const known = this.#modelCalls.get(llmString);
    if (known !== undefined) return known;
    const parameters = deepFreeze(llmStringParams(llmString));
    const read: ModelCall = {
      parameters,
      provider: providerFamily(langChainType(parameters), langChainModel(parameters)),
      baseURL: langChainEndpoint(parameters, this.#baseURL),
    };
    if (this.#modelCalls.size >= LLM_STRINGS_KEPT) this.#modelCalls.delete(this.#modelCalls.keys().next().value!);
    this.#modelCalls.set(llmString, read);
    return read;
  }

  #rememberMiss(pending: string, startedAt: number): void {
    this.#missedAt.delete(pending);
    this.#missedAt.set(pending, startedAt);
    if (this.#missedAt.size > PENDING_MISSES_KEPT) this.#missedAt.delete(this.#missedAt.keys().next().value!);
  }

  /** Totals over the usage log (see `EcoAI.summary`). */
  summary(): Promise<UsageSummary> {
    return this.#eco.summary();
  }

  /** Logged calls, newest first (see `EcoAI.history`). */
  history(query?: HistoryQuery): Promise<UsageRecord[]> {
    return this.#eco.history(query);
  }

  /** Removes entries and returns how many (see `EcoAI.flush`). */
  flush(filter?: FlushFilter): Promise<number> {
    return this.#eco.flush(filter);
  }

  /** `dev`: entries never expire; `prod`: the TTL applies. */
  setMode(mode: Mode): void {
    this.#eco.setMode(mode);
  }

  /** Writes pending usage rows and releases files and connections. */
  close(): Promise<void> {
    return this.#eco.close();
  }
}

/** `value` and everything in it frozen: parameters shared by many calls, which nothing may change for the others. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function restore(stored: StoredGeneration): Generation {
  const generation: Generation = deserializeStoredGeneration(stored);
  return stored.generationInfo === undefined ? generation : { ...generation, generationInfo: stored.generationInfo };
}
