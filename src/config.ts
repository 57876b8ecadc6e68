import type { SupportedClient } from "./client-types.ts";
import { resolveSemantic, type ResolvedSemantic } from "./config-semantic.ts";
import { DEFAULTS } from "./defaults.ts";
import { EcoAIConfigError, type ConfigSource } from "./errors.ts";
import type { EcoAISettings } from "./settings.ts";
import type { Logger, Mode, ReplayMode, SemanticConfig, StorageType } from "./types.ts";
import { resolveFootprint, type ResolvedFootprint } from "./usage/footprint-config.ts";
import type { PriceOverride, RateOverrides } from "./usage/pricing.ts";
import { validBoolean, validMode, validNonEmptyString, validRedisUrl, validReplay, validSeconds, validStorage, type Sourced } from "./validate.ts";

export { DEFAULTS } from "./defaults.ts";

/** Options of `new EcoAI(...)`. Constructor options win over `ECOAI_*` variables, which win over the settings file. */
export interface EcoAIConfig<C extends SupportedClient = SupportedClient> {
  /** The client to wrap: an `OpenAI`, `Anthropic` or `GoogleGenAI` instance, or a Gemini `GenerativeModel`. */
  client: C;
  /**
   * `dev`: entries never expire. `prod`: entries older than the TTL are misses. Env: `ECOAI_MODE`.
   * @default "dev"
   */
  mode?: Mode;
  /**
   * Cache backend. Env: `ECOAI_STORAGE`.
   * @default "sqlite"
   */
  storage?: StorageType;
  /** @default ".ecoai/cache.db" */
  sqlitePath?: string;
  /**
   * Redis URL for `storage: "redis"`.
   * @default process.env.ECOAI_REDIS_URL
   */
  redisUrl?: string;
  /**
   * Prefix of every key ecoai writes to Redis, so applications sharing a server stay apart.
   * @default "ecoai:"
   */
  redisKeyPrefix?: string;
  /**
   * Seconds an entry stays fresh in prod mode. Env: `ECOAI_TTL`.
   * @default 3600
   */
  ttl?: number;
  /**
   * Per-model TTL in seconds, matched on the exact model name; wins over `ttl`.
   * @default {}
   */
  ttlByModel?: Record<string, number>;
  /**
   * Write one usage row per call.
   * @default true
   */
  logUsage?: boolean;
  /**
   * Usage log file. Env: `ECOAI_DB_PATH`.
   * @default ".ecoai/usage.db"
   */
  logPath?: string;
  /**
   * Master switch: when off every call goes upstream (and is still logged). Env: `ECOAI_CACHING_ENABLED`.
   * @default true
   */
  cachingEnabled?: boolean;
  /**
   * The dashboard's settings file, re-read while running.
   * @default ".ecoai/settings.json"
   */
  settingsPath?: string;
  /**
   * Semantic caching: a prompt may be served the answer of a stored prompt that means the same,
   * when everything else in the request is equal. Needs embeddings: `embedFn`, an OpenAI client,
   * or `OPENAI_API_KEY`. Settings file: `semanticEnabled`, `semanticThreshold`.
   * @default false
   * @example { semantic: { threshold: 0.9 } }
   */
  semantic?: boolean | SemanticConfig;
  /**
   * Cache partition: the tenant boundary. An entry of one namespace is never served in another;
   * within one, every client that sends the same request to the same place shares entries (API
   * keys never separate them, so rotating one keeps the cache). `flush()` removes this namespace.
   * @default undefined
   * @example new EcoAI({ client, namespace: `tenant-${tenantId}` })
   */
  namespace?: string;
  /**
   * How a stream served from the cache is replayed: `"instant"` sends every event at once;
   * `"recorded"` sends each with the gap it was recorded with, for testing how an interface
   * renders a stream. Per call: `ecoai: { replay }`.
   * @default "instant"
   * @example new EcoAI({ client, replay: "recorded" })
   */
  replay?: ReplayMode;
  /**
   * Entries kept by `storage: "memory"`.
   * @default 1000
   */
  memoryMaxEntries?: number;
  /**
   * Prices by model-name prefix (USD per 1M tokens: input, cached input, cache write, output,
   * reasoning), merged over the built-in table; a model in no row and no override is unpriced.
   * @default {}
   * @example { "my-finetune": { inputPerMTok: 3, outputPerMTok: 12 } }
   */
  pricing?: RateOverrides & Record<string, PriceOverride>;
  /**
   * Carbon intensity of the electricity behind the calls, in g CO₂e per kWh; wins over
   * `gridRegion`. Env: `ECOAI_GRID_INTENSITY`; settings file: `gridIntensityGPerKwh`.
   * @default 473.01 (world average, 2024)
   * @example 56 // a data centre on a low-carbon grid
   */
  gridIntensityGPerKwh?: number;
  /**
   * The grid whose published intensity applies: an ISO 3166-1 alpha-3 country (`"FRA"`),
   * `"provider"` for each provider's data-centre country, or `"WOR"`. Env: `ECOAI_GRID_REGION`;
   * settings file: `gridRegion`.
   * @default "WOR"
   */
  gridRegion?: string;
  /**
   * Add the hardware's embodied (manufacturing) emissions to CO₂e, labelled apart. Env:
   * `ECOAI_EMBODIED_EMISSIONS`; settings file: `embodiedEmissions`.
   * @default false
   */
  embodiedEmissions?: boolean;
  /**
   * Receives warnings (storage faults, unreadable settings), each one line; the error behind a
   * warning is passed as its second argument.
   * @default console
   */
  logger?: Logger;
  /**
   * With the default console logger, print the error and stack behind each warning, not just its
   * one line. Env: `ECOAI_DEBUG`.
   * @default false
   */
  debug?: boolean;
}

/** Every option with its value in force. */
export interface ResolvedConfig {
  mode: Mode;
  storage: StorageType;
  sqlitePath: string;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  ttl: number;
  ttlByModel: Record<string, number>;
  logUsage: boolean;
  logPath: string;
  cachingEnabled: boolean;
  settingsPath: string;
  semantic: false | ResolvedSemantic;
  namespace: string;
  replay: ReplayMode;
  memoryMaxEntries: number;
  pricing: RateOverrides;
  /** The CO₂ options in force and where each came from. */
  footprint: ResolvedFootprint;
  debug: boolean;
}


type Env = Record<string, string | undefined>;

/** Every constructor option but `client`; a misspelt one (`namespce`) must not be ignored silently. */
const OPTION_NAMES = Object.keys({
  mode: 1, storage: 1, sqlitePath: 1, redisUrl: 1, redisKeyPrefix: 1, ttl: 1, ttlByModel: 1, logUsage: 1, logPath: 1,
  cachingEnabled: 1, settingsPath: 1, semantic: 1, namespace: 1, replay: 1, memoryMaxEntries: 1, pricing: 1, logger: 1, debug: 1,
  gridIntensityGPerKwh: 1, gridRegion: 1, embodiedEmissions: 1,
} satisfies Record<keyof Omit<EcoAIConfig, "client">, 1>);

/** The first of constructor option, environment variable and settings field that is set, with its source. */
function pick(
  options: Record<string, unknown>,
  option: string,
  env: Env,
  envName: string | undefined,
  settings: EcoAISettings,
  settingsPath: string,
  settingsField?: keyof EcoAISettings,
): Sourced<unknown> | undefined {
  if (options[option] !== undefined) return { value: options[option], source: "constructor option" };
  if (envName && env[envName] !== undefined && env[envName] !== "") return { value: env[envName], source: `environment variable ${envName}` };
  if (settingsField && settings[settingsField] !== undefined) return { value: settings[settingsField], source: `settings file ${settingsPath}` };
  return undefined;
}

/**
 * Resolves every option: constructor > `ECOAI_*` environment > settings file > default, and
 * validates each, throwing `EcoAIConfigError` with the option, value and source.
 */
export function resolveConfig(options: Omit<EcoAIConfig, "client">, env: Env, settings: EcoAISettings): ResolvedConfig {
  const raw = options as Record<string, unknown>;
  for (const [option, value] of Object.entries(raw)) {
    if (!OPTION_NAMES.includes(option)) throw new EcoAIConfigError(option, value, "constructor option", `unknown option; expected one of ${OPTION_NAMES.join(", ")}.`);
  }
  const settingsPath = resolveSettingsPath(options);
  validLogger(raw.logger);
  const from = (option: string, envName?: string, settingsField?: keyof EcoAISettings) =>
    pick(raw, option, env, envName, settings, settingsPath, settingsField);
  const or = <T>(input: Sourced<unknown> | undefined, validate: (option: string, input: Sourced<unknown>) => T, option: string, fallback: T): T =>
    input === undefined ? fallback : validate(option, input);

  const storageInput = from("storage", "ECOAI_STORAGE");
  const storage = or(storageInput, validStorage, "storage", DEFAULTS.storage);
  const redisInput = from("redisUrl", "ECOAI_REDIS_URL");
  const redisUrl = redisInput === undefined ? undefined : validRedisUrl("redisUrl", redisInput);
  if (storage === "redis" && redisUrl === undefined) {
    // Named after where "redis" was asked for: the constructor or ECOAI_STORAGE.
    throw new EcoAIConfigError("redisUrl", undefined, storageInput?.source ?? "constructor option", 'storage "redis" needs a URL: pass redisUrl or set ECOAI_REDIS_URL.');
  }
  const path = (option: string, envName?: string) => {
    const input = from(option, envName);
    return input === undefined ? undefined : validNonEmptyString(option, input, "a file path");
  };

  return {
    mode: or(from("mode", "ECOAI_MODE", "mode"), validMode, "mode", DEFAULTS.mode),
    storage,
    sqlitePath: path("sqlitePath") ?? DEFAULTS.sqlitePath,
    redisUrl,
    redisKeyPrefix: raw.redisKeyPrefix === undefined ? DEFAULTS.redisKeyPrefix : validNonEmptyString("redisKeyPrefix", { value: raw.redisKeyPrefix, source: "constructor option" }, 'a non-empty string such as "myapp:"'),
    ttl: or(from("ttl", "ECOAI_TTL", "ttl"), validSeconds, "ttl", DEFAULTS.ttl),
    ttlByModel: resolveTtlByModel(raw.ttlByModel),
    logUsage: or(from("logUsage"), validBoolean, "logUsage", DEFAULTS.logUsage),
    logPath: path("logPath", "ECOAI_DB_PATH") ?? DEFAULTS.logPath,
    cachingEnabled: or(from("cachingEnabled", "ECOAI_CACHING_ENABLED", "cachingEnabled"), validBoolean, "cachingEnabled", DEFAULTS.cachingEnabled),
    settingsPath,
    semantic: resolveSemantic(raw.semantic, settings, settingsPath),
    namespace: raw.namespace === undefined ? "" : validNonEmptyString("namespace", { value: raw.namespace, source: "constructor option" }, "a non-empty string"),
    replay: raw.replay === undefined ? DEFAULTS.replay : validReplay("replay", { value: raw.replay, source: "constructor option" }),
    memoryMaxEntries: resolveMemoryMaxEntries(raw.memoryMaxEntries),
    pricing: resolvePricing(raw.pricing),
    footprint: resolveFootprint(raw, env, settings, settingsPath),
    debug: or(from("debug", "ECOAI_DEBUG"), validBoolean, "debug", DEFAULTS.debug),
  };
}

/** The settings file's path (the file is read before the other options resolve, as they may come from it). */
export function resolveSettingsPath(options: Pick<EcoAIConfig, "settingsPath">): string {
  const value: unknown = options.settingsPath;
  return value === undefined ? DEFAULTS.settingsPath : validNonEmptyString("settingsPath", { value, source: "constructor option" }, "a file path");
}

/** A logger must take warnings: without `warn`, the first storage fault would throw into a call. */
function validLogger(value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === "object" && typeof (value as { warn?: unknown }).warn === "function") return;
  throw new EcoAIConfigError("logger", value, "constructor option", "expected an object with a warn(message, error?) method, such as console.");
}

function resolveTtlByModel(value: unknown): Record<string, number> {
  if (value === undefined) return {};
  const source: ConfigSource = "constructor option";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EcoAIConfigError("ttlByModel", value, source, 'expected an object of model → seconds, e.g. { "gpt-4o": 600 }.');
  }
  const result: Record<string, number> = {};
  for (const [model, seconds] of Object.entries(value)) result[model] = validSeconds(`ttlByModel["${model}"]`, { value: seconds, source });
  return result;
}

function resolveMemoryMaxEntries(value: unknown): number {
  if (value === undefined) return DEFAULTS.memoryMaxEntries;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1) return value;
  throw new EcoAIConfigError("memoryMaxEntries", value, "constructor option", "expected a whole number ≥ 1.");
}

const RATE_FIELDS: readonly string[] = ["inputPerMTok", "cachedInputPerMTok", "cacheWritePerMTok", "outputPerMTok", "reasoningPerMTok", "co2KgPer1kOutputTokens"] satisfies (keyof PriceOverride)[];

function resolvePricing(value: unknown): RateOverrides {
  if (value === undefined) return {};
  const source: ConfigSource = "constructor option";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EcoAIConfigError("pricing", value, source, 'expected an object of model prefix → rates, e.g. { "my-model": { inputPerMTok: 1, outputPerMTok: 2 } }.');
  }
  for (const [prefix, rates] of Object.entries(value)) {
    if (typeof rates !== "object" || rates === null || Array.isArray(rates)) throw new EcoAIConfigError(`pricing["${prefix}"]`, rates, source, "expected an object of rates.");
    for (const [field, rate] of Object.entries(rates)) {
      if (!RATE_FIELDS.includes(field)) {
        throw new EcoAIConfigError(`pricing["${prefix}"].${field}`, rate, source, `unknown rate; expected one of ${RATE_FIELDS.join(", ")}.`);
      }
      if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0) {
        throw new EcoAIConfigError(`pricing["${prefix}"].${field}`, rate, source, "expected a number ≥ 0.");
      }
    }
  }
  return value as RateOverrides;
}
