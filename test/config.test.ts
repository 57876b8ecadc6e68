import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { EcoAI, EcoAIConfigError } from "../src/index.ts";
import { DEFAULTS, resolveConfig, type EcoAIConfig } from "../src/config.ts";
import type { ConfigSource } from "../src/errors.ts";
import { SUPPORTED_CLIENTS } from "../src/providers/index.ts";
import type { EcoAISettings } from "../src/settings.ts";
import { recordingLogger, useUpstream } from "./harness.ts";
import { configError } from "./expect-error.ts";

const up = useUpstream();

type Options = Omit<EcoAIConfig, "client">;
type Env = Record<string, string | undefined>;

const SETTINGS_PATH = "/srv/app/.ecoai/settings.json";

function resolve(options: Record<string, unknown> = {}, env: Env = {}, settings: EcoAISettings = {}) {
  return resolveConfig(options as Options, env, settings);
}


/** The error names the option, the value (as the message shows it) and the source, with the structured fields set. */
function expectNamed(error: EcoAIConfigError, option: string, shownValue: string, source: ConfigSource) {
  expect(error.code).toBe("ECOAI_CONFIG");
  expect(error.option).toBe(option);
  expect(error.source).toBe(source);
  expect(error.message).toContain(`Invalid ${option} ${shownValue} (from ${source})`);
}

describe("defaults", () => {
  test("nothing set: dev mode, sqlite storage, one hour TTL, files under .ecoai/", () => {
    const config = resolve();
    expect(config.mode).toBe("dev");
    expect(config.storage).toBe("sqlite");
    expect(config.ttl).toBe(3600);
    expect(config.ttlByModel).toEqual({});
    expect(config.sqlitePath).toBe(".ecoai/cache.db");
    expect(config.logPath).toBe(".ecoai/usage.db");
    expect(config.settingsPath).toBe(".ecoai/settings.json");
    expect(config.redisUrl).toBeUndefined();
    expect(config.logUsage).toBe(true);
    expect(config.cachingEnabled).toBe(true);
    expect(config.semantic).toBe(false);
    expect(config.namespace).toBe("");
    expect(config.memoryMaxEntries).toBe(1000);
    expect(config.pricing).toEqual({});
    expect(DEFAULTS.mode).toBe("dev");
  });

  test("options explicitly undefined are the same as unset", () => {
    const config = resolve({ mode: undefined, ttl: undefined, storage: undefined, cachingEnabled: undefined, namespace: undefined });
    expect(config).toEqual(resolve());
  });

  test("ECOAI_* variables set to the empty string count as unset", () => {
    const config = resolve({}, { ECOAI_MODE: "", ECOAI_STORAGE: "", ECOAI_TTL: "", ECOAI_CACHING_ENABLED: "", ECOAI_DB_PATH: "", ECOAI_REDIS_URL: "" });
    expect(config).toEqual(resolve());
  });

  test("unrelated environment variables are ignored", () => {
    expect(resolve({}, { MODE: "prod", TTL: "5", NODE_ENV: "production" })).toEqual(resolve());
  });

  test("semantic: true takes the default threshold and embedding model", () => {
    const config = resolve({ semantic: true });
    expect(config.semantic).toMatchObject({ threshold: 0.95, embeddingModel: "text-embedding-3-small" });
  });
});

describe("each value is taken as given", () => {
  test("constructor options", () => {
    const embedFn = async () => [1, 0];
    const given = {
      mode: "prod",
      storage: "memory",
      sqlitePath: "/tmp/c.db",
      ttl: 60,
      ttlByModel: { "gpt-4o": 10, "gpt-4o-mini": 0 },
      logUsage: false,
      logPath: "/tmp/u.db",
      cachingEnabled: false,
      settingsPath: "/tmp/s.json",
      namespace: "tenant-a",
      memoryMaxEntries: 5,
      pricing: { "my-model": { inputPerMTok: 1, outputPerMTok: 2 } },
    };
    const config = resolve({ ...given, semantic: { threshold: 0.8, embeddingModel: "text-embedding-3-large", embedFn } });
    expect(config).toMatchObject(given);
    expect(config.semantic).toMatchObject({ threshold: 0.8, embeddingModel: "text-embedding-3-large", embedFn });
  });

  test("ttl 0 and threshold 0 and 1 are valid edge values", () => {
    expect(resolve({ ttl: 0 }).ttl).toBe(0);
    expect(resolve({ semantic: { threshold: 0 } }).semantic).toMatchObject({ threshold: 0 });
    expect(resolve({ semantic: { threshold: 1 } }).semantic).toMatchObject({ threshold: 1 });
  });

  test("storage redis with a redisUrl", () => {
    const config = resolve({ storage: "redis", redisUrl: "redis://127.0.0.1:6379" });
    expect(config.storage).toBe("redis");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
  });
});

describe("environment variables", () => {
  test("ECOAI_MODE, ECOAI_STORAGE, ECOAI_REDIS_URL, ECOAI_TTL, ECOAI_CACHING_ENABLED, ECOAI_DB_PATH", () => {
    const config = resolve(
      {},
      {
        ECOAI_MODE: "prod",
        ECOAI_STORAGE: "redis",
        ECOAI_REDIS_URL: "redis://cache:6379/2",
        ECOAI_TTL: "120",
        ECOAI_CACHING_ENABLED: "false",
        ECOAI_DB_PATH: "/var/lib/ecoai/usage.db",
      },
    );
    expect(config.mode).toBe("prod");
    expect(config.storage).toBe("redis");
    expect(config.redisUrl).toBe("redis://cache:6379/2");
    expect(config.ttl).toBe(120);
    expect(typeof config.ttl).toBe("number");
    expect(config.cachingEnabled).toBe(false);
    expect(config.logPath).toBe("/var/lib/ecoai/usage.db");
    // ECOAI_DB_PATH is the usage log, not the cache file.
    expect(config.sqlitePath).toBe(".ecoai/cache.db");
  });

  test.each([
    ["true", true],
    ["false", false],
    ["1", true],
    ["0", false],
    ["yes", true],
    ["no", false],
    ["TRUE", true],
    ["No", false],
    [" yes ", true],
  ] as const)("ECOAI_CACHING_ENABLED=%p → %p", (text, expected) => {
    expect(resolve({}, { ECOAI_CACHING_ENABLED: text }).cachingEnabled).toBe(expected);
  });

  test("ECOAI_TTL accepts 0 and fractional seconds", () => {
    expect(resolve({}, { ECOAI_TTL: "0" }).ttl).toBe(0);
    expect(resolve({}, { ECOAI_TTL: "1.5" }).ttl).toBe(1.5);
  });
});

describe("precedence: constructor > ECOAI_* > settings file > defaults", () => {
  const env: Env = {
    ECOAI_MODE: "prod",
    ECOAI_STORAGE: "memory",
    ECOAI_REDIS_URL: "redis://env:6379",
    ECOAI_TTL: "200",
    ECOAI_CACHING_ENABLED: "no",
    ECOAI_DB_PATH: "/env/usage.db",
  };
  const settings: EcoAISettings = { mode: "prod", ttl: 300, cachingEnabled: false };

  test("constructor options win over the environment and the settings file", () => {
    const config = resolve(
      { mode: "dev", storage: "sqlite", redisUrl: "redis://ctor:6379", ttl: 100, cachingEnabled: true, logPath: "/ctor/usage.db" },
      env,
      settings,
    );
    expect(config.mode).toBe("dev");
    expect(config.storage).toBe("sqlite");
    expect(config.redisUrl).toBe("redis://ctor:6379");
    expect(config.ttl).toBe(100);
    expect(config.cachingEnabled).toBe(true);
    expect(config.logPath).toBe("/ctor/usage.db");
  });

  test("a constructor `false` / `0` is a value, not a gap", () => {
    const config = resolve({ cachingEnabled: false, ttl: 0 }, { ECOAI_CACHING_ENABLED: "true", ECOAI_TTL: "50" }, { cachingEnabled: true, ttl: 70 });
    expect(config.cachingEnabled).toBe(false);
    expect(config.ttl).toBe(0);
  });

  test("the environment wins over the settings file", () => {
    const config = resolve({}, { ECOAI_MODE: "dev", ECOAI_TTL: "200", ECOAI_CACHING_ENABLED: "1" }, settings);
    expect(config.mode).toBe("dev");
    expect(config.ttl).toBe(200);
    expect(config.cachingEnabled).toBe(true);
  });

  test("the settings file wins over the defaults", () => {
    const config = resolve({}, {}, settings);
    expect(config.mode).toBe("prod");
    expect(config.ttl).toBe(300);
    expect(config.cachingEnabled).toBe(false);
  });

  test("each option is resolved independently", () => {
    const config = resolve({ mode: "dev" }, { ECOAI_TTL: "200" }, { mode: "prod", ttl: 300, cachingEnabled: false });
    expect(config.mode).toBe("dev"); // constructor
    expect(config.ttl).toBe(200); // environment
    expect(config.cachingEnabled).toBe(false); // settings file
    expect(config.storage).toBe("sqlite"); // default
  });

  test("the settings file's semanticEnabled / semanticThreshold apply unless the constructor says otherwise", () => {
    expect(resolve({}, {}, { semanticEnabled: true, semanticThreshold: 0.9 }).semantic).toMatchObject({ threshold: 0.9 });
    expect(resolve({}, {}, { semanticEnabled: false, semanticThreshold: 0.9 }).semantic).toBe(false);
    expect(resolve({ semantic: false }, {}, { semanticEnabled: true }).semantic).toBe(false);
    expect(resolve({ semantic: true }, {}, { semanticThreshold: 0.8 }).semantic).toMatchObject({ threshold: 0.8 });
    expect(resolve({ semantic: { threshold: 0.7 } }, {}, { semanticThreshold: 0.8 }).semantic).toMatchObject({ threshold: 0.7 });
  });

  test("ECOAI_REDIS_URL supplies the URL for storage redis from the constructor", () => {
    const config = resolve({ storage: "redis" }, { ECOAI_REDIS_URL: "redis://env:6379" });
    expect(config.redisUrl).toBe("redis://env:6379");
  });
});

describe("every invalid value throws EcoAIConfigError naming the option, the value and the source", () => {
  test("unknown mode from the constructor", () => {
    const error = configError(() => resolve({ mode: "staging" }));
    expect(error.message).toMatch(/Invalid mode "staging" \(from constructor option\)/);
    expectNamed(error, "mode", '"staging"', "constructor option");
    expect(error.value).toBe("staging");
    expect(error.message).toContain('"dev"');
    expect(error.message).toContain('"prod"');
    expect(error.name).toBe("EcoAIConfigError");
    expect(error).toBeInstanceOf(Error);
  });

  test("unknown mode from ECOAI_MODE", () => {
    expectNamed(configError(() => resolve({}, { ECOAI_MODE: "production" })), "mode", '"production"', "environment variable ECOAI_MODE");
  });

  test("unknown mode from the settings file names the file", () => {
    // Settings objects normally come validated from readSettings; resolveConfig checks again anyway.
    const error = configError(() => resolve({ settingsPath: SETTINGS_PATH }, {}, { mode: "staging" as never }));
    expectNamed(error, "mode", '"staging"', `settings file ${SETTINGS_PATH}`);
  });

  test("the default settings path is named when none is given", () => {
    const error = configError(() => resolve({}, {}, { ttl: -5 }));
    expectNamed(error, "ttl", "-5", "settings file .ecoai/settings.json");
  });

  test("unknown storage from the constructor and from ECOAI_STORAGE", () => {
    const ctor = configError(() => resolve({ storage: "postgres" }));
    expectNamed(ctor, "storage", '"postgres"', "constructor option");
    expect(ctor.message).toContain('"sqlite"');
    expect(ctor.message).toContain('"redis"');
    expect(ctor.message).toContain('"memory"');
    expectNamed(configError(() => resolve({}, { ECOAI_STORAGE: "mongo" })), "storage", '"mongo"', "environment variable ECOAI_STORAGE");
  });

  test.each([
    [-1, "-1"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    ["60", '"60"'],
    ["soon", '"soon"'],
    [null, "null"],
    [true, "true"],
  ] as const)("ttl %p from the constructor", (value, shown) => {
    const error = configError(() => resolve({ ttl: value }));
    expectNamed(error, "ttl", shown, "constructor option");
    expect(Object.is(error.value, value)).toBe(true);
  });

  test.each(["-5", "abc", "NaN", "  ", "Infinity", "1h"])("ECOAI_TTL=%p", (text) => {
    const error = configError(() => resolve({}, { ECOAI_TTL: text }));
    expectNamed(error, "ttl", JSON.stringify(text), "environment variable ECOAI_TTL");
  });

  test("a TTL beyond ten years is refused from the constructor, ttlByModel and ECOAI_TTL", () => {
    for (const ttl of [1e308, 315_360_001, Number.POSITIVE_INFINITY]) {
      const error = configError(() => resolve({ ttl }));
      expectNamed(error, "ttl", String(ttl), "constructor option");
      expect(error.expected).toContain("at most 315360000 seconds (ten years)");
    }
    expect(resolve({ ttl: 315_360_000 }).ttl).toBe(315_360_000);
    expectNamed(configError(() => resolve({ ttlByModel: { "gpt-4o": 1e12 } })), 'ttlByModel["gpt-4o"]', "1000000000000", "constructor option");
    const env = configError(() => resolve({}, { ECOAI_TTL: "1e308" }));
    expectNamed(env, "ttl", '"1e308"', "environment variable ECOAI_TTL");
    expect(env.message).toContain("ten years");
  });

  test("ttl from the settings file", () => {
    expectNamed(configError(() => resolve({ settingsPath: SETTINGS_PATH }, {}, { ttl: -1 })), "ttl", "-1", `settings file ${SETTINGS_PATH}`);
    expectNamed(configError(() => resolve({ settingsPath: SETTINGS_PATH }, {}, { ttl: "60" as never })), "ttl", '"60"', `settings file ${SETTINGS_PATH}`);
  });

  test("a bad ttlByModel entry names the model", () => {
    expectNamed(configError(() => resolve({ ttlByModel: { "gpt-4o": 10, "gpt-4o-mini": -3 } })), 'ttlByModel["gpt-4o-mini"]', "-3", "constructor option");
    expectNamed(configError(() => resolve({ ttlByModel: { "gpt-4o": "10" } })), 'ttlByModel["gpt-4o"]', '"10"', "constructor option");
    expectNamed(configError(() => resolve({ ttlByModel: { "gpt-4o": Number.NaN } })), 'ttlByModel["gpt-4o"]', "NaN", "constructor option");
  });

  test("ttlByModel that is not an object", () => {
    expectNamed(configError(() => resolve({ ttlByModel: 60 })), "ttlByModel", "60", "constructor option");
    expectNamed(configError(() => resolve({ ttlByModel: [60] })), "ttlByModel", "(an instance of Array)", "constructor option");
    expectNamed(configError(() => resolve({ ttlByModel: null })), "ttlByModel", "null", "constructor option");
  });

  test.each([1.5, -0.1, Number.NaN, "0.9"] as const)("semantic threshold %p", (threshold) => {
    const error = configError(() => resolve({ semantic: { threshold } }));
    expectNamed(error, "semantic.threshold", typeof threshold === "string" ? JSON.stringify(threshold) : String(threshold), "constructor option");
    expect(error.message).toMatch(/0 to 1/);
  });

  test("semantic threshold from the settings file", () => {
    const error = configError(() => resolve({ settingsPath: SETTINGS_PATH }, {}, { semanticEnabled: true, semanticThreshold: 2 }));
    expectNamed(error, "semanticThreshold", "2", `settings file ${SETTINGS_PATH}`);
  });

  test("semantic that is neither a boolean nor an object, a bad embedFn, an empty embedding model", () => {
    expectNamed(configError(() => resolve({ semantic: "yes" })), "semantic", '"yes"', "constructor option");
    expectNamed(configError(() => resolve({ semantic: { embedFn: "openai" } })), "semantic.embedFn", '"openai"', "constructor option");
    expectNamed(configError(() => resolve({ semantic: { embeddingModel: "" } })), "semantic.embeddingModel", '""', "constructor option");
  });

  test("a misspelt semantic field is refused rather than silently ignored", () => {
    const error = configError(() => resolve({ semantic: { treshold: 0.8 } }));
    expectNamed(error, "semantic.treshold", "0.8", "constructor option");
    expect(error.message).toContain("threshold, embeddingModel, embedFn");
  });

  test("a misspelt constructor option is refused rather than silently ignored", () => {
    const error = configError(() => resolve({ namespce: "tenant-1" } as never));
    expectNamed(error, "namespce", '"tenant-1"', "constructor option");
    expect(error.message).toContain("namespace");
  });

  test("a logger without a warn function", () => {
    expectNamed(configError(() => resolve({ logger: {} })), "logger", "(an object)", "constructor option");
    expectNamed(configError(() => resolve({ logger: "console" })), "logger", '"console"', "constructor option");
  });

  test("storage redis with no URL anywhere", () => {
    const error = configError(() => resolve({ storage: "redis" }));
    expect(error.message).toMatch(/redis/);
    expect(error.message).toContain("redisUrl");
    expect(error.message).toContain("ECOAI_REDIS_URL");
    expect(error.source).toBe("constructor option");
  });

  test("storage redis from ECOAI_STORAGE with no URL names the environment variable", () => {
    const error = configError(() => resolve({}, { ECOAI_STORAGE: "redis" }));
    expect(error.source).toBe("environment variable ECOAI_STORAGE");
    expect(error.message).toContain("(from environment variable ECOAI_STORAGE)");
    expect(error.message).toContain("ECOAI_REDIS_URL");
  });

  test("an empty redisUrl", () => {
    expectNamed(configError(() => resolve({ storage: "redis", redisUrl: "" })), "redisUrl", '""', "constructor option");
  });

  test("a redisUrl that is not a redis:// URL, and a bad redisKeyPrefix", () => {
    expectNamed(configError(() => resolve({ storage: "redis", redisUrl: "localhost:6379" })), "redisUrl", '"localhost:6379"', "constructor option");
    expectNamed(configError(() => resolve({}, { ECOAI_REDIS_URL: "http://cache:6379" })), "redisUrl", '"http://cache:6379"', "environment variable ECOAI_REDIS_URL");
    expectNamed(configError(() => resolve({ redisKeyPrefix: "" })), "redisKeyPrefix", '""', "constructor option");
    expectNamed(configError(() => resolve({ redisKeyPrefix: 7 })), "redisKeyPrefix", "7", "constructor option");
    expect(resolve().redisKeyPrefix).toBe("ecoai:");
    expect(resolve({ storage: "redis", redisUrl: "rediss://user:pw@cache:6380/1", redisKeyPrefix: "app:" }).redisKeyPrefix).toBe("app:");
  });

  test.each([
    ["cachingEnabled", "false", '"false"'],
    ["cachingEnabled", 0, "0"],
    ["cachingEnabled", null, "null"],
    ["logUsage", "yes", '"yes"'],
    ["logUsage", 1, "1"],
  ] as const)("non-boolean %s %p from the constructor", (option, value, shown) => {
    expectNamed(configError(() => resolve({ [option]: value })), option, shown, "constructor option");
  });

  test.each(["maybe", "2", "enabled"])("ECOAI_CACHING_ENABLED=%p", (text) => {
    expectNamed(configError(() => resolve({}, { ECOAI_CACHING_ENABLED: text })), "cachingEnabled", JSON.stringify(text), "environment variable ECOAI_CACHING_ENABLED");
  });

  test("non-boolean cachingEnabled from the settings file", () => {
    expectNamed(
      configError(() => resolve({ settingsPath: SETTINGS_PATH }, {}, { cachingEnabled: "no" as never })),
      "cachingEnabled",
      '"no"',
      `settings file ${SETTINGS_PATH}`,
    );
  });

  test.each(["", "   ", 42] as const)("namespace %p", (namespace) => {
    expectNamed(configError(() => resolve({ namespace })), "namespace", typeof namespace === "string" ? JSON.stringify(namespace) : String(namespace), "constructor option");
  });

  test.each([0, -1, 1.5, Number.NaN, "100"] as const)("memoryMaxEntries %p", (memoryMaxEntries) => {
    const shown = typeof memoryMaxEntries === "string" ? JSON.stringify(memoryMaxEntries) : String(memoryMaxEntries);
    expectNamed(configError(() => resolve({ memoryMaxEntries })), "memoryMaxEntries", shown, "constructor option");
  });

  test("bad pricing", () => {
    expectNamed(configError(() => resolve({ pricing: "cheap" })), "pricing", '"cheap"', "constructor option");
    expectNamed(configError(() => resolve({ pricing: [] })), "pricing", "(an instance of Array)", "constructor option");
    expectNamed(configError(() => resolve({ pricing: { "my-model": 3 } })), 'pricing["my-model"]', "3", "constructor option");
    expectNamed(configError(() => resolve({ pricing: { "my-model": null } })), 'pricing["my-model"]', "null", "constructor option");
    expectNamed(configError(() => resolve({ pricing: { "my-model": [1, 2] } })), 'pricing["my-model"]', "(an instance of Array)", "constructor option");
    expectNamed(configError(() => resolve({ pricing: { "my-model": { inputPerMTok: -1 } } })), 'pricing["my-model"].inputPerMTok', "-1", "constructor option");
    expectNamed(configError(() => resolve({ pricing: { "my-model": { outputPerMTok: "2" } } })), 'pricing["my-model"].outputPerMTok', '"2"', "constructor option");
    expectNamed(configError(() => resolve({ pricing: { "my-model": { outputPerMTok: Number.NaN } } })), 'pricing["my-model"].outputPerMTok', "NaN", "constructor option");
  });

  test("a misspelt pricing field is refused rather than silently ignored", () => {
    const error = configError(() => resolve({ pricing: { "my-model": { inputPerMtok: 1 } } }));
    expect(error.option).toBe('pricing["my-model"].inputPerMtok');
    expect(error.message).toContain("inputPerMTok");
  });

  test("empty paths", () => {
    expectNamed(configError(() => resolve({ sqlitePath: "" })), "sqlitePath", '""', "constructor option");
    expectNamed(configError(() => resolve({ logPath: "" })), "logPath", '""', "constructor option");
    expectNamed(configError(() => resolve({ settingsPath: "" })), "settingsPath", '""', "constructor option");
    expectNamed(configError(() => resolve({}, { ECOAI_DB_PATH: "   " })), "logPath", '"   "', "environment variable ECOAI_DB_PATH");
  });

  test("a valid constructor option does not hide an invalid value elsewhere being ignored: the winning value is the only one checked", () => {
    // The constructor wins, so the environment's bad value is never in force and is not an error.
    expect(resolve({ mode: "prod" }, { ECOAI_MODE: "staging" }).mode).toBe("prod");
    expect(resolve({ ttl: 5 }, {}, { ttl: -1 }).ttl).toBe(5);
  });
});

describe("new EcoAI(...)", () => {
  test.each([
    ["an empty object", {}],
    ["a string", "x"],
    ["a number", 42],
    ["null", null],
    ["a plain object with a chat property", { chat: {} }],
  ])("client: %s → ECOAI_UNSUPPORTED_CLIENT listing the supported clients", (_label, client) => {
    const error = configError(() => new EcoAI({ client: client as never }));
    expect(error.code).toBe("ECOAI_UNSUPPORTED_CLIENT");
    expect(error.option).toBe("client");
    expect(error.source).toBe("constructor option");
    expect(error.message).toContain("(from constructor option)");
    expect(SUPPORTED_CLIENTS.length).toBeGreaterThan(0);
    expect(error.message).toContain(SUPPORTED_CLIENTS);
    expect(error.message).toMatch(/OpenAI/);
  });

  test("no client at all", () => {
    const error = configError(() => new EcoAI({} as never));
    expect(error.code).toBe("ECOAI_UNSUPPORTED_CLIENT");
    expect(error.message).toContain(SUPPORTED_CLIENTS);
  });

  test.each([
    ["undefined", undefined],
    ["null", null],
    ["a string", "openai"],
  ])("config %s → a clear EcoAIConfigError, not a TypeError", (_label, config) => {
    const error = configError(() => new EcoAI(config as never));
    expect(error.option).toBe("config");
    expect(error.message).toMatch(/expected an object/);
    expect(error.message).toContain("client");
  });

  test("an invalid option is reported by the constructor, with its source", () => {
    const error = configError(() => up.eco({ mode: "staging" as never }));
    expect(error.message).toMatch(/Invalid mode "staging" \(from constructor option\)/);
    expectNamed(configError(() => up.eco({ ttl: -1 })), "ttl", "-1", "constructor option");
    expectNamed(configError(() => up.eco({ storage: "disk" as never })), "storage", '"disk"', "constructor option");
    expect(configError(() => up.eco({ storage: "redis", redisUrl: undefined })).message).toContain("ECOAI_REDIS_URL");
    expectNamed(configError(() => up.eco({ namespace: "" })), "namespace", '""', "constructor option");
  });

  test("an invalid ECOAI_* variable of the process is reported by the constructor", () => {
    const saved = process.env.ECOAI_TTL;
    process.env.ECOAI_TTL = "-10";
    try {
      expectNamed(configError(() => up.eco({ ttl: undefined })), "ttl", '"-10"', "environment variable ECOAI_TTL");
      // A constructor option wins, so the bad variable is not in force.
      expect(() => up.eco({ ttl: 10 })).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.ECOAI_TTL;
      else process.env.ECOAI_TTL = saved;
    }
  });

  test("the mode getter and setMode", () => {
    const eco = up.eco({ mode: "dev", logger: recordingLogger() });
    expect(eco.mode).toBe("dev");
    eco.setMode("prod");
    expect(eco.mode).toBe("prod");
    const error = configError(() => eco.setMode("staging" as never));
    expect(error.message).toContain('Invalid mode "staging" (from setMode() argument)');
    expect(error.source).toBe("setMode() argument");
    expect(eco.mode).toBe("prod");
  });

  test("a settingsPath that is not a string is a config error, not a crash reading the file", () => {
    const error = configError(() => up.eco({ settingsPath: 42 as never }));
    expectNamed(error, "settingsPath", "42", "constructor option");
  });

  test("the constructor's settingsPath is honoured", () => {
    const settingsPath = join(up.dir, "ctor-settings.json");
    expect(() => up.eco({ settingsPath })).not.toThrow();
  });
});
