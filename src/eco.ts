import type { CachedClient, SupportedClient } from "./client-types.ts";
import type { EcoAIConfig } from "./config.ts";
import { ASSERT_OPEN, EcoAIBase, ENGINE } from "./eco-base.ts";
import { EcoAIConfigError } from "./errors.ts";
import { detectProvider, type ProviderAdapter } from "./providers/index.ts";
import { wrapClient, type CachedCallRunner } from "./wrap.ts";

/** The wrapper's own members; every other property is the wrapped client's. */
class EcoAICore<C extends SupportedClient> extends EcoAIBase {
  /** The wrapped client, untouched. */
  readonly client: C;
  readonly #adapter: ProviderAdapter;

  constructor(config: EcoAIConfig<C>) {
    if (typeof config !== "object" || config === null) {
      throw new EcoAIConfigError("config", config, "constructor option", "expected an object such as { client: new OpenAI() }.");
    }
    const { client, ...options } = config;
    const adapter = detectProvider(client);
    super(options, { client, provider: adapter.provider });
    this.#adapter = adapter;
    this.client = client;
    return this.#view(client) as this;
  }

  /**
   * The instance as seen through `client`: its own members, then the client's, with the cached
   * methods going through the engine. `withOptions()` (openai, @anthropic-ai/sdk) gives a view of
   * the SDK's copy of the client: same cache, log and settings, the copy's options.
   */
  #view(client: C): object {
    const members: Record<string, unknown> = { client };
    const withOptions = (client as { withOptions?: unknown }).withOptions;
    if (typeof withOptions === "function") members.withOptions = (...args: unknown[]) => this.#view(withOptions.apply(client, args) as C);
    const engine = this[ENGINE];
    const run: CachedCallRunner = (call) => engine.call(call);
    return wrapClient(this, client, this.#adapter, run, { members, beforeCall: (method) => this[ASSERT_OPEN](method.path) });
  }
}

/**
 * An `EcoAI` instance: its own members plus every member of the wrapped client, the cached methods
 * typed with per-call `ecoai` options. It is also a `C`, so it goes wherever the client does
 * (`function helper(client: OpenAI)`, a DI container, an agent library).
 */
export type EcoAI<C extends SupportedClient = SupportedClient> = EcoAICore<C> & WithOptions<C> & Omit<CachedClient<C>, keyof EcoAICore<C> | "withOptions"> & C;

/**
 * `withOptions()` of the Stainless SDKs (openai, @anthropic-ai/sdk): the SDK's copy of the client
 * with some options changed, wrapped, sharing this instance's cache, log and settings.
 */
type WithOptions<C extends SupportedClient> = C extends { withOptions(options: infer O): unknown } ? { withOptions(options: O): EcoAI<C> } : unknown;

/**
 * Wraps an SDK client so that repeated calls are served from the cache. Same arguments, same
 * results, same errors as the client; everything not cached is forwarded untouched.
 *
 * @example
 * import OpenAI from "openai";
 * import { EcoAI } from "ecoai";
 *
 * const eco = new EcoAI({ client: new OpenAI() });
 * const r = await eco.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] });
 */
export const EcoAI = EcoAICore as unknown as new <C extends SupportedClient>(config: EcoAIConfig<C>) => EcoAI<C>;
