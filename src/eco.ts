import { statSync } from "node:fs";
import type { CachedClient } from "./client-types.ts";
import { promptMatcher } from "./cache/prompt-pattern.ts";
import { createCacheEngine, type CacheEngine, type EngineSettings } from "./cache/engine.ts";
import { consoleLogger } from "./cache/faults.ts";
import { resolveEmbedder, type Embedder } from "./cache/embedder.ts";
import { createSemanticCache, type SemanticCache } from "./cache/semantic.ts";
import { DEFAULTS, resolveConfig, resolveSettingsPath, type EcoAIConfig, type ResolvedConfig } from "./config.ts";
import { EcoAIConfigError, EcoAIError } from "./errors.ts";
import { detectProvider, type ProviderAdapter } from "./providers/index.ts";
import { readSettings, type EcoAISettings } from "./settings.ts";
import { createStore, type Store } from "./stores/index.ts";
import type { FlushFilter, HistoryQuery, Logger, Mode, UsageRecord, UsageSummary } from "./types.ts";
import { createUsageLog, type UsageLog } from "./usage/log.ts";
import { validMode, validNonEmptyString } from "./validate.ts";
import { wrapClient } from "./wrap.ts";

/** How often, at most, a running instance looks at the settings file for changes. */
const SETTINGS_CHECK_INTERVAL_MS = 500;

/** The wrapper's own members; every other property is the wrapped client's. */
class EcoAICore<C extends object> {
  /** The wrapped client, untouched. */
  readonly client: C;
  readonly #adapter: ProviderAdapter;
  readonly #options: Omit<EcoAIConfig<C>, "client">;
  readonly #logger: Logger;
  readonly #engine: CacheEngine;
  readonly #usageLog: UsageLog | undefined;
  readonly #store: Store | undefined;
  #semantic: SemanticCache | undefined;
  #semanticUnavailable = false;
  #config: ResolvedConfig;
  #settingsCheckedAt = 0;
  #settingsMtimeMs = -1;
  #closing: Promise<void> | undefined;

  constructor(config: EcoAIConfig<C>) {
    if (typeof config !== "object" || config === null) {
      throw new EcoAIConfigError("config", config, "constructor option", "expected an object such as { client: new OpenAI() }.");
    }
    const { client, ...options } = config;
    this.#adapter = detectProvider(client);
    this.client = client;
    this.#options = options;
    this.#logger = options.logger ?? consoleLogger(() => this.#config?.debug === true);
    this.#config = resolveConfig(options, process.env, this.#readSettingsFile(resolveSettingsPath(options)));
    // Semantic caching with no way to embed prompts fails here, at construction, not at the first call.
    const embedder = this.#config.semantic ? this.#embedder(this.#config.semantic) : undefined;
    this.#usageLog = this.#config.logUsage ? createUsageLog({ path: this.#config.logPath, logger: this.#logger }) : undefined;
    this.#store = this.#openStore();
    if (embedder) this.#semantic = this.#semanticCache(embedder);
    this.#engine = createCacheEngine({
      store: this.#store,
      semantic: () => this.#semanticInForce(),
      usageLog: this.#usageLog,
      logger: this.#logger,
      pricing: this.#config.pricing,
      settings: () => this.#settings(),
    });
    return wrapClient(this, client, this.#adapter, (method, params, callOptions, send) =>
      this.#engine.call({ provider: this.#adapter.provider, baseURL: this.#adapter.baseURL(client), method, params, options: callOptions, send }),
    ) as this;
  }

  /** A store that cannot be opened is a fault like any other: calls pass through, one warning says why. */
  #openStore(): Store | undefined {
    try {
      return createStore(this.#config);
    } catch (error) {
      // A missing driver or backend is a setup problem to report at once, not a fault to ride out.
      if (error instanceof EcoAIError && (error.code === "ECOAI_STORAGE_UNAVAILABLE" || error.code === "ECOAI_SQLITE_UNAVAILABLE")) throw error;
      this.#logger.warn(`[ecoai] could not open the ${this.#config.storage} cache; calls go straight to the provider`, error);
      return undefined;
    }
  }

  #embedder(semantic: Exclude<ResolvedConfig["semantic"], false>): Embedder {
    const source = this.#options.semantic === undefined ? (`settings file ${this.#config.settingsPath}` as const) : ("constructor option" as const);
    return resolveEmbedder(semantic, this.client, this.#adapter.provider, process.env, { value: this.#options.semantic ?? true, source });
  }

  #semanticCache(embedder: Embedder): SemanticCache | undefined {
    if (!this.#store) return undefined;
    return createSemanticCache({
      store: this.#store,
      embedder,
      threshold: () => (this.#config.semantic ? this.#config.semantic.threshold : DEFAULTS.semanticThreshold),
      logger: this.#logger,
      pricing: this.#config.pricing,
    });
  }

  /** Semantic matching when the settings in force ask for it; turned on by the settings file while running, it starts then. */
  #semanticInForce(): SemanticCache | undefined {
    const semantic = this.#config.semantic;
    if (!semantic || !this.#store) return undefined;
    if (!this.#semantic && !this.#semanticUnavailable) {
      try {
        this.#semantic = this.#semanticCache(this.#embedder(semantic));
      } catch (error) {
        this.#semanticUnavailable = true;
        this.#logger.warn("[ecoai] the settings file turns semantic caching on, but it cannot start; calls use exact matching", error);
      }
    }
    return this.#semantic;
  }

  /** Reads the settings file, remembering its modification time so changes are noticed. */
  #readSettingsFile(path: string): EcoAISettings {
    this.#settingsMtimeMs = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    return readSettings(path);
  }

  /** The settings in force, re-reading the settings file when it has changed (throttled). */
  #settings(): EngineSettings {
    const now = Date.now();
    if (now - this.#settingsCheckedAt >= SETTINGS_CHECK_INTERVAL_MS) {
      this.#settingsCheckedAt = now;
      const path = this.#config.settingsPath;
      const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (mtime !== this.#settingsMtimeMs) {
        try {
          const settings = this.#readSettingsFile(path);
          this.#config = resolveConfig(this.#options, process.env, settings);
        } catch (error) {
          this.#logger.warn(`[ecoai] ignoring the changed settings file ${path}; keeping the settings in force`, error);
        }
      }
    }
    const { mode, ttl, ttlByModel, cachingEnabled, namespace } = this.#config;
    return { mode, ttl, ttlByModel, cachingEnabled, namespace };
  }

  /**
   * Switches between `dev` (entries never expire) and `prod` (TTL applies) for this instance.
   * @example eco.setMode("prod");
   */
  setMode(mode: Mode): void {
    this.#options.mode = validMode("mode", { value: mode, source: "constructor option" });
    this.#config = { ...this.#config, mode: this.#options.mode };
  }

  /** The mode in force. */
  get mode(): Mode {
    return this.#settings().mode;
  }

  /**
   * Removes cache entries, all of this instance's namespace by default; returns how many.
   * @example await eco.flush({ model: "gpt-4o", pattern: "*refund*" });
   */
  async flush(filter: FlushFilter = {}): Promise<number> {
    const source = "constructor option" as const;
    const pattern = filter.pattern === undefined ? undefined : validNonEmptyString("flush pattern", { value: filter.pattern, source }, "a glob such as \"*refund*\"");
    const namespace = filter.namespace ?? (this.#config.namespace === "" ? undefined : this.#config.namespace);
    const removed = await this.#engine.flush({
      model: filter.model,
      namespace,
      matchPrompt: pattern === undefined ? undefined : promptMatcher(pattern),
    });
    // Vectors held in memory go with their entries; what is left reloads from the store.
    this.#semantic?.clear();
    return removed;
  }

  /**
   * Totals over the usage log: calls, hits, tokens, dollars and grams of CO₂ saved.
   * @example const { hitRate, costSavedUsd } = await eco.summary();
   */
  async summary(): Promise<UsageSummary> {
    return this.#requireLog("summary").summary();
  }

  /**
   * Logged calls, newest first.
   * @example await eco.history({ limit: 20, model: "gpt-4o" });
   */
  async history(query: HistoryQuery = {}): Promise<UsageRecord[]> {
    return this.#requireLog("history").history(query);
  }

  /** Waits for calls in flight, writes pending usage rows, and releases files and connections. */
  async close(): Promise<void> {
    // Every caller of close() waits for the one closing in progress.
    await (this.#closing ??= this.#engine.close());
  }

  #requireLog(method: string): UsageLog {
    if (!this.#usageLog) throw new EcoAIConfigError("logUsage", false, "constructor option", `${method}() reads the usage log; construct EcoAI with logUsage: true.`);
    return this.#usageLog;
  }
}

/** An `EcoAI` instance: its own members plus every member of the wrapped client. */
export type EcoAI<C extends object = object> = EcoAICore<C> & Omit<CachedClient<C>, keyof EcoAICore<C>>;

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
export const EcoAI = EcoAICore as unknown as new <C extends object>(config: EcoAIConfig<C>) => EcoAI<C>;
