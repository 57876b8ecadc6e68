import { statSync } from "node:fs";
import type { CachedClient, SupportedClient } from "./client-types.ts";
import { promptMatcher } from "./cache/prompt-pattern.ts";
import { createCacheEngine, type CacheEngine, type EngineSettings } from "./cache/engine.ts";
import { consoleLogger } from "./cache/faults.ts";
import { resolveEmbedder, type Embedder } from "./cache/embedder.ts";
import { createSemanticCache, type SemanticCache } from "./cache/semantic.ts";
import { DEFAULTS, resolveConfig, resolveSettingsPath, type EcoAIConfig, type ResolvedConfig } from "./config.ts";
import { EcoAIClosedError, EcoAIConfigError, EcoAIError, errorMessage } from "./errors.ts";
import { noArguments, validFlushFilter, validHistoryQuery, validSetMode } from "./method-arguments.ts";
import { detectProvider, type ProviderAdapter } from "./providers/index.ts";
import { loadSettings, type EcoAISettings } from "./settings.ts";
import { createStore, type Store } from "./stores/index.ts";
import type { FlushFilter, HistoryQuery, Logger, Mode, UsageRecord, UsageSummary } from "./types.ts";
import { createUsageLog, type UsageLog } from "./usage/log.ts";
import { composeUsageSinks } from "./usage/sinks.ts";
import { createTelemetrySink } from "./telemetry/index.ts";
import { wrapClient, type CachedCallRunner } from "./wrap.ts";

/** How often, at most, a running instance looks at the settings file for changes. */
const SETTINGS_CHECK_INTERVAL_MS = 500;

/** The wrapper's own members; every other property is the wrapped client's. */
class EcoAICore<C extends SupportedClient> {
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
  /** Settings-file problems already reported, so a bad field is named once, not at every change. */
  readonly #reportedSettingsProblems = new Set<string>();
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
    const settingsPath = resolveSettingsPath(options);
    if (options.settingsPath !== undefined && statSync(settingsPath, { throwIfNoEntry: false })?.isDirectory()) {
      throw new EcoAIConfigError("settingsPath", settingsPath, "constructor option", 'this is a folder; expected the path of a JSON file such as ".ecoai/settings.json".');
    }
    this.#config = resolveConfig(options, process.env, this.#readSettingsFile(settingsPath) ?? {});
    const embedder = this.#config.semantic ? this.#startingEmbedder(this.#config.semantic) : undefined;
    this.#usageLog = this.#config.logUsage ? createUsageLog({ path: this.#config.logPath, logger: this.#logger, pricing: this.#config.pricing, footprint: () => this.#config.footprint.config }) : undefined;
    this.#store = this.#openStore();
    if (embedder) this.#semantic = this.#semanticCache(embedder);
    this.#engine = createCacheEngine({
      store: this.#store,
      semantic: () => this.#semanticInForce(),
      // Each call is written to the usage log and, when the app uses OpenTelemetry, reported to it.
      usageLog: composeUsageSinks(this.#usageLog, createTelemetrySink({ pricing: this.#config.pricing, footprint: () => this.#config.footprint.config })),
      logger: this.#logger,
      settings: () => this.#settings(),
    });
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
    const run: CachedCallRunner = (call, requestOptions) =>
      this.#engine.call({
        ...call,
        provider: this.#adapter.provider,
        baseURL: this.#adapter.baseURL(client),
        limits: this.#adapter.limits?.(client, call.params, requestOptions),
      });
    return wrapClient(this, client, this.#adapter, run, { members, beforeCall: (method) => this.#assertOpen(method.path.join(".")) });
  }

  /**
   * The embedder semantic caching starts with. Asked for by the constructor, no way to embed is
   * an error now rather than at the first call; asked for by the settings file, it is a warning
   * and exact matching, as a settings file never stops an app.
   */
  #startingEmbedder(semantic: Exclude<ResolvedConfig["semantic"], false>): Embedder | undefined {
    if (this.#options.semantic !== undefined) return this.#embedder(semantic);
    try {
      return this.#embedder(semantic);
    } catch (error) {
      if (!(error instanceof EcoAIConfigError)) throw error;
      this.#semanticUnavailable = true;
      this.#reportSettingsProblem(this.#semanticFromSettingsError(error));
      return undefined;
    }
  }

  /** The settings file's `semanticEnabled: true` that cannot be honoured, named as the file's field. */
  #semanticFromSettingsError(error: EcoAIConfigError): EcoAIConfigError {
    return new EcoAIConfigError("semanticEnabled", true, error.source, error.expected);
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
      guards: () => (this.#config.semantic ? this.#config.semantic.guards : undefined),
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
        if (error instanceof EcoAIConfigError) this.#reportSettingsProblem(this.#semanticFromSettingsError(error));
        else this.#logger.warn(`[ecoai] the settings file ${this.#config.settingsPath} turns semantic caching on, but it cannot start; calls use exact matching`, error);
      }
    }
    return this.#semantic;
  }

  /**
   * Reads the settings file, remembering its modification time so changes are noticed. Each
   * unusable field is reported once and left out, so the next source applies to it; `undefined`
   * when the file as a whole cannot be used.
   */
  #readSettingsFile(path: string): EcoAISettings | undefined {
    this.#settingsMtimeMs = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const { settings, problems } = loadSettings(path);
    for (const problem of problems) this.#reportSettingsProblem(problem);
    return settings;
  }

  #reportSettingsProblem(problem: EcoAIConfigError): void {
    const key = `${problem.option}\0${problem.message}`;
    if (this.#reportedSettingsProblems.has(key)) return;
    this.#reportedSettingsProblems.add(key);
    this.#logger.warn(`[ecoai] ignoring ${problem.option} in the settings file: ${errorMessage(problem)} The next source (environment variable or default) applies until the file is fixed.`);
  }

  /** The settings in force, re-reading the settings file when it has changed (throttled). */
  #settings(): EngineSettings {
    const now = Date.now();
    if (now - this.#settingsCheckedAt >= SETTINGS_CHECK_INTERVAL_MS) {
      this.#settingsCheckedAt = now;
      const path = this.#config.settingsPath;
      const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      // A file that cannot be used as a whole (half-edited JSON) leaves the settings in force as they are.
      if (mtime !== this.#settingsMtimeMs) {
        const settings = this.#readSettingsFile(path);
        try {
          if (settings) this.#config = resolveConfig(this.#options, process.env, settings);
        } catch (error) {
          // The environment changed under a running process; what is in force stays.
          this.#logger.warn(`[ecoai] could not apply the changed settings file ${path}; keeping the settings in force`, error);
        }
      }
    }
    const { mode, ttl, ttlByModel, cachingEnabled, namespace, replay } = this.#config;
    return { mode, ttl, ttlByModel, cachingEnabled, namespace, replay };
  }

  /**
   * Switches between `dev` (entries never expire) and `prod` (TTL applies) for this instance.
   * @example eco.setMode("prod");
   */
  setMode(mode: Mode): void {
    this.#assertOpen("setMode");
    this.#options.mode = validSetMode(mode);
    this.#config = { ...this.#config, mode: this.#options.mode };
  }

  /** The mode in force. */
  get mode(): Mode {
    return this.#settings().mode;
  }

  /**
   * Removes cache entries and returns how many. Without a filter, every entry of this instance's
   * namespace: with no `namespace` option, the entries written without one. Other tenants' entries
   * stay unless `namespace` names one or `allNamespaces` is set; `model` and `pattern` narrow any of these.
   * @example await eco.flush({ model: "gpt-4o", pattern: "*refund*" }); // this instance's namespace
   * @example await eco.flush({ namespace: "tenant-42" });              // one tenant
   * @example await eco.flush({ allNamespaces: true });                 // every entry of the cache
   */
  async flush(filter?: FlushFilter): Promise<number> {
    this.#assertOpen("flush");
    const { pattern, model, namespace: asked, allNamespaces } = validFlushFilter(filter);
    // The store's filter: "" is the partition of entries written without a namespace, undefined every partition.
    const namespace = allNamespaces ? undefined : (asked ?? this.#config.namespace);
    const removed = await this.#engine.flush({
      model,
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
  async summary(...args: []): Promise<UsageSummary> {
    this.#assertOpen("summary");
    noArguments("summary", args);
    return this.#requireLog("summary").summary();
  }

  /**
   * Logged calls, newest first.
   * @example await eco.history({ limit: 20, model: "gpt-4o" });
   */
  async history(query?: HistoryQuery): Promise<UsageRecord[]> {
    this.#assertOpen("history");
    return this.#requireLog("history").history(validHistoryQuery(query));
  }

  /** Waits for calls in flight, writes pending usage rows, and releases files and connections. */
  async close(): Promise<void> {
    // Every caller of close() waits for the one closing in progress.
    await (this.#closing ??= this.#engine.close());
  }

  /** Anything but `close()` itself is refused once `close()` was called: files and connections are gone. */
  #assertOpen(method: string): void {
    if (this.#closing) throw new EcoAIClosedError(method);
  }

  #requireLog(method: string): UsageLog {
    if (!this.#usageLog) throw new EcoAIConfigError("logUsage", false, "constructor option", `${method}() reads the usage log; construct EcoAI with logUsage: true.`);
    return this.#usageLog;
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
