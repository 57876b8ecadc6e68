import { statSync } from "node:fs";
import { promptMatcher } from "./cache/prompt-pattern.ts";
import { createCacheEngine, type CacheEngine, type EngineSettings } from "./cache/engine.ts";
import { consoleLogger } from "./cache/faults.ts";
import { resolveEmbedder, type Embedder } from "./cache/embedder.ts";
import { createSemanticCache, type SemanticCache } from "./cache/semantic.ts";
import { DEFAULTS, resolveConfig, resolveSettingsPath, type EcoAIConfig, type ResolvedConfig } from "./config.ts";
import { EcoAIClosedError, EcoAIConfigError, EcoAIError, errorMessage } from "./errors.ts";
import { noArguments, validFlushFilter, validHistoryQuery, validSetMode } from "./method-arguments.ts";
import { loadSettings, type EcoAISettings } from "./settings.ts";
import { createStore, type Store } from "./stores/index.ts";
import type { FlushFilter, HistoryQuery, Logger, Mode, Provider, UsageRecord, UsageSummary } from "./types.ts";
import { createUsageLog, type UsageLog } from "./usage/log.ts";
import { composeUsageSinks } from "./usage/sinks.ts";
import { createTelemetrySink } from "./telemetry/index.ts";

/** How often, at most, a running instance looks at the settings file for changes. */
const SETTINGS_CHECK_INTERVAL_MS = 500;

/** The engine of an instance, for the entry points built on it. */
export const ENGINE = Symbol("ecoai.engine");
/** Throws `ECOAI_CLOSED` naming the method once `close()` was called. */
export const ASSERT_OPEN = Symbol("ecoai.assertOpen");

/** The client and provider semantic matching may embed prompts with. */
export interface EmbedsWith {
  client: object;
  provider: Provider;
}

/**
 * What every ecoai entry point shares, with or without a wrapped client (the framework adapters
 * have none): the resolved options, the settings file, the store, semantic matching, the usage log
 * and the engine over them, and the management methods (`flush`, `summary`, `history`, `setMode`,
 * `close`).
 */
export class EcoAIBase {
  readonly #embedsWith: EmbedsWith;
  readonly #options: Omit<EcoAIConfig, "client">;
  readonly #logger: Logger;
  readonly #engine: CacheEngine;
  readonly #usageLog: UsageLog | undefined;
  readonly #store: Store | undefined;
  #semantic: SemanticCache | undefined;
  #semanticUnavailable = false;
  #config: ResolvedConfig;
  #settingsCheckedAt = 0;
  /** The engine's settings of {@link #settingsFrom}, the configuration they were read from. */
  #settingsInForce: EngineSettings | undefined;
  #settingsFrom: ResolvedConfig | undefined;
  #settingsMtimeMs = -1;
  /** Settings-file problems already reported, so a bad field is named once, not at every change. */
  readonly #reportedSettingsProblems = new Set<string>();
  #closing: Promise<void> | undefined;

  /**
   * @param options every constructor option but `client`, checked and resolved here.
   * @param embedsWith the client and provider semantic matching may embed prompts with (OpenAI
   * embeddings through the wrapped client); without one, `OPENAI_API_KEY` or another embedder.
   */
  constructor(options: Omit<EcoAIConfig, "client">, embedsWith: EmbedsWith = { client: {}, provider: "openai" }) {
    this.#embedsWith = embedsWith;
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
  }

  /** The engine every cached call of this instance goes through (a symbol: no client member can clash with it). */
  get [ENGINE](): CacheEngine {
    return this.#engine;
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
    return resolveEmbedder(semantic, this.#embedsWith.client, this.#embedsWith.provider, process.env, { value: this.#options.semantic ?? true, source });
  }

  #semanticCache(embedder: Embedder): SemanticCache | undefined {
    if (!this.#store) return undefined;
    return createSemanticCache({
      store: this.#store,
      embedder,
      threshold: () => (this.#config.semantic ? this.#config.semantic.threshold : DEFAULTS.semanticThreshold),
      guards: () => (this.#config.semantic ? this.#config.semantic.guards : undefined),
      checks: () => (this.#config.semantic ? this.#config.semantic : undefined),
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
    // Read on every call: one object for as long as the same configuration is in force.
    if (this.#settingsFrom !== this.#config) {
      const { mode, ttl, ttlByModel, cachingEnabled, namespace, replay } = this.#config;
      this.#settingsInForce = Object.freeze({ mode, ttl, ttlByModel, cachingEnabled, namespace, replay });
      this.#settingsFrom = this.#config;
    }
    return this.#settingsInForce!;
  }

  /**
   * Switches between `dev` (entries never expire) and `prod` (TTL applies) for this instance.
   * @example eco.setMode("prod");
   */
  setMode(mode: Mode): void {
    this[ASSERT_OPEN]("setMode");
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
    this[ASSERT_OPEN]("flush");
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
    this[ASSERT_OPEN]("summary");
    noArguments("summary", args);
    return this.#requireLog("summary").summary();
  }

  /**
   * Logged calls, newest first.
   * @example await eco.history({ limit: 20, model: "gpt-4o" });
   */
  async history(query?: HistoryQuery): Promise<UsageRecord[]> {
    this[ASSERT_OPEN]("history");
    return this.#requireLog("history").history(validHistoryQuery(query));
  }

  /** Waits for calls in flight, writes pending usage rows, and releases files and connections. */
  async close(): Promise<void> {
    // Every caller of close() waits for the one closing in progress.
    await (this.#closing ??= this.#engine.close());
  }

  /**
   * Anything but `close()` itself is refused once `close()` was called: files and connections are
   * gone. `method` is its name, or its path from the client (joined only to be named in the error).
   */
  [ASSERT_OPEN](method: string | readonly string[]): void {
    if (this.#closing) throw new EcoAIClosedError(typeof method === "string" ? method : method.join("."));
  }

  #requireLog(method: string): UsageLog {
    if (!this.#usageLog) throw new EcoAIConfigError("logUsage", false, "constructor option", `${method}() reads the usage log; construct EcoAI with logUsage: true.`);
    return this.#usageLog;
  }
}
