import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EcoAIConfigError, readSettings, writeSettings } from "../src/index.ts";
import { createDashboardApp } from "../src/dashboard/app.ts";
import { put } from "./dashboard/request.ts";
import { validateSettings } from "../src/settings.ts";
import { ask, CHAT_ROUTE, recordingLogger, useUpstream } from "./harness.ts";
import { configError } from "./expect-error.ts";

const up = useUpstream();

// ECOAI_* variables of the real environment win over the settings file; keep them out of these tests.
const savedEnv: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("ECOAI_")) {
      savedEnv[name] = process.env[name];
      delete process.env[name];
    }
  }
});
afterAll(() => {
  for (const [name, value] of Object.entries(savedEnv)) process.env[name] = value;
});

/** More than the 500 ms an instance waits between two looks at the settings file. */
const PICKUP_MS = 600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
/** A fresh folder with a settings path in it (the file itself not created). */
function freshSettingsPath(): { dir: string; path: string } {
  const dir = join(up.dir, `settings-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return { dir, path: join(dir, "settings.json") };
}


/** Upstream chat requests made while `fn` runs. */
async function upstreamCalls(fn: () => Promise<unknown>): Promise<number> {
  const before = up.sim.count(CHAT_ROUTE);
  await fn();
  return up.sim.count(CHAT_ROUTE) - before;
}

describe("readSettings", () => {
  test("a missing file is {}", () => {
    const { path } = freshSettingsPath();
    expect(readSettings(path)).toEqual({});
    expect(readSettings(join(up.dir, "no", "such", "folder", "settings.json"))).toEqual({});
    expect(existsSync(path)).toBe(false);
  });

  test("reads every field", () => {
    const { path } = freshSettingsPath();
    const all = { cachingEnabled: false, semanticEnabled: true, semanticThreshold: 0.9, mode: "prod", ttl: 600 };
    writeFileSync(path, JSON.stringify(all));
    expect(readSettings(path)).toEqual(all as never);
  });

  test("an empty object is {}", () => {
    const { path } = freshSettingsPath();
    writeFileSync(path, "{}\n");
    expect(readSettings(path)).toEqual({});
  });

  test.each(["{ not json", "", '{"mode": "prod",}', "{'mode': 'prod'}"])("invalid JSON %p → EcoAIConfigError naming the file", (text) => {
    const { path } = freshSettingsPath();
    writeFileSync(path, text);
    const error = configError(() => readSettings(path));
    expect(error.source).toBe(`settings file ${path}`);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/JSON/);
  });

  test.each(["[]", "42", "null", '"prod"'])("JSON that is not an object (%s) → EcoAIConfigError naming the file", (text) => {
    const { path } = freshSettingsPath();
    writeFileSync(path, text);
    const error = configError(() => readSettings(path));
    expect(error.message).toContain(`(from settings file ${path})`);
  });

  test("an unknown field → EcoAIConfigError naming the field, the file and the known fields", () => {
    const { path } = freshSettingsPath();
    writeFileSync(path, JSON.stringify({ mode: "prod", cacheEnabled: false }));
    const error = configError(() => readSettings(path));
    expect(error.option).toBe("cacheEnabled");
    expect(error.source).toBe(`settings file ${path}`);
    expect(error.message).toContain(`Invalid cacheEnabled false (from settings file ${path})`);
    for (const field of ["cachingEnabled", "semanticEnabled", "semanticThreshold", "mode", "ttl"]) expect(error.message).toContain(field);
  });

  test.each([
    [{ mode: "staging" }, "mode", '"staging"'],
    [{ ttl: -1 }, "ttl", "-1"],
    [{ ttl: "60" }, "ttl", '"60"'],
    [{ cachingEnabled: "false" }, "cachingEnabled", '"false"'],
    [{ semanticEnabled: 1 }, "semanticEnabled", "1"],
    [{ semanticThreshold: 1.5 }, "semanticThreshold", "1.5"],
    [{ semanticThreshold: -0.5 }, "semanticThreshold", "-0.5"],
    [{ ttl: null }, "ttl", "null"],
  ])("an invalid value %p → EcoAIConfigError naming field, value and file", (content, field, shown) => {
    const { path } = freshSettingsPath();
    writeFileSync(path, JSON.stringify(content));
    const error = configError(() => readSettings(path));
    expect(error.option).toBe(field);
    expect(error.message).toContain(`Invalid ${field} ${shown} (from settings file ${path})`);
  });

  test("validateSettings drops undefined fields and checks the rest", () => {
    expect(validateSettings({ mode: "dev", ttl: undefined }, "x.json")).toEqual({ mode: "dev" });
    expect(configError(() => validateSettings({ mode: "beta" }, "x.json")).source).toBe("settings file x.json");
  });
});

describe("writeSettings", () => {
  test("creates the file (and its folder) and returns what it wrote", () => {
    const { dir } = freshSettingsPath();
    const path = join(dir, "nested", "deeper", "settings.json");
    expect(writeSettings(path, { mode: "prod", ttl: 600 })).toEqual({ mode: "prod", ttl: 600 });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ mode: "prod", ttl: 600 });
    expect(readSettings(path)).toEqual({ mode: "prod", ttl: 600 });
  });

  test("merges into what is there", () => {
    const { path } = freshSettingsPath();
    writeSettings(path, { mode: "prod", ttl: 600 });
    expect(writeSettings(path, { cachingEnabled: false })).toEqual({ mode: "prod", ttl: 600, cachingEnabled: false });
    expect(writeSettings(path, { ttl: 30 })).toEqual({ mode: "prod", ttl: 30, cachingEnabled: false });
    expect(readSettings(path)).toEqual({ mode: "prod", ttl: 30, cachingEnabled: false });
  });

  test("a field set to undefined is removed", () => {
    const { path } = freshSettingsPath();
    writeSettings(path, { mode: "prod", ttl: 600, semanticThreshold: 0.9 });
    expect(writeSettings(path, { ttl: undefined, semanticThreshold: undefined })).toEqual({ mode: "prod" });
    const onDisk = JSON.parse(readFileSync(path, "utf8"));
    expect(onDisk).toEqual({ mode: "prod" });
    expect("ttl" in onDisk).toBe(false);
  });

  test.each([
    [{ mode: "staging" }, "mode"],
    [{ ttl: -5 }, "ttl"],
    [{ ttl: Number.NaN }, "ttl"],
    [{ cachingEnabled: "no" }, "cachingEnabled"],
    [{ semanticThreshold: 2 }, "semanticThreshold"],
    [{ colour: "green" }, "colour"],
  ])("an invalid value %p throws and leaves the file untouched", (partial, field) => {
    const { dir, path } = freshSettingsPath();
    writeSettings(path, { mode: "prod", ttl: 600 });
    const before = readFileSync(path, "utf8");
    const mtimeBefore = statSync(path).mtimeMs;
    const error = configError(() => writeSettings(path, partial as never));
    expect(error.option).toBe(field);
    expect(error.source).toBe(`settings file ${path}`);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(statSync(path).mtimeMs).toBe(mtimeBefore);
    expect(readdirSync(dir)).toEqual(["settings.json"]);
  });

  test("an invalid value does not create a missing file", () => {
    const { dir, path } = freshSettingsPath();
    configError(() => writeSettings(path, { mode: "staging" as never }));
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("writes atomically: a new file renamed into place, no temporary files left behind", () => {
    const { dir, path } = freshSettingsPath();
    writeSettings(path, { mode: "dev" });
    for (let i = 0; i < 50; i++) {
      const inodeBefore = statSync(path).ino;
      writeSettings(path, { ttl: i, mode: i % 2 ? "prod" : "dev", cachingEnabled: i % 3 === 0 });
      // Replaced by rename, not rewritten in place: a reader never sees half a file.
      expect(statSync(path).ino).not.toBe(inodeBefore);
    }
    expect(readdirSync(dir)).toEqual(["settings.json"]);
    expect(readSettings(path)).toEqual({ ttl: 49, mode: "prod", cachingEnabled: false });
  });

  test("the file is readable JSON", () => {
    const { path } = freshSettingsPath();
    writeSettings(path, { cachingEnabled: true, semanticEnabled: false, semanticThreshold: 0.97, mode: "dev", ttl: 0 });
    const text = readFileSync(path, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(JSON.parse(text)).toEqual({ cachingEnabled: true, semanticEnabled: false, semanticThreshold: 0.97, mode: "dev", ttl: 0 });
  });
});

describe("a running EcoAI picks up the settings file without restart", () => {
  test("cachingEnabled: false → every call goes upstream; back to true → cached again", async () => {
    const { path } = freshSettingsPath();
    const eco = up.eco({ settingsPath: path });
    const request = ask("live pickup: caching switch");
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
    })).toBe(1);

    writeSettings(path, { cachingEnabled: false });
    await sleep(PICKUP_MS);
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
    })).toBe(2);

    writeSettings(path, { cachingEnabled: true });
    await sleep(PICKUP_MS);
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
    })).toBe(0);
  }, 10_000);

  test("calls made with caching off are still logged", async () => {
    const { path } = freshSettingsPath();
    writeSettings(path, { cachingEnabled: false });
    const eco = up.eco({ settingsPath: path });
    await eco.chat.completions.create(ask("logged while off"));
    await eco.chat.completions.create(ask("logged while off"));
    const history = await eco.history();
    expect(history).toHaveLength(2);
    expect(history.every((record) => !record.cacheHit)).toBe(true);
  });

  test('{ mode: "prod", ttl: 0 } turns a cached entry into a miss', async () => {
    const { path } = freshSettingsPath();
    const eco = up.eco({ settingsPath: path });
    const request = ask("live pickup: prod ttl 0");
    expect(eco.mode).toBe("dev");
    await eco.chat.completions.create(request);
    expect(await upstreamCalls(() => eco.chat.completions.create(request))).toBe(0);

    writeSettings(path, { mode: "prod", ttl: 0 });
    await sleep(PICKUP_MS);
    expect(await upstreamCalls(() => eco.chat.completions.create(request))).toBe(1);
    expect(eco.mode).toBe("prod");

    // Back to dev: age no longer matters, the refreshed entry is served.
    writeSettings(path, { mode: "dev" });
    await sleep(PICKUP_MS);
    expect(eco.mode).toBe("dev");
    expect(await upstreamCalls(() => eco.chat.completions.create(request))).toBe(0);
  }, 10_000);

  test("a settings file present at construction applies from the first call", async () => {
    const { path } = freshSettingsPath();
    writeSettings(path, { cachingEnabled: false, mode: "prod" });
    const eco = up.eco({ settingsPath: path });
    expect(eco.mode).toBe("prod");
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(ask("off from the start"));
      await eco.chat.completions.create(ask("off from the start"));
    })).toBe(2);
  });

  test("a constructor option wins over the file", async () => {
    const { path } = freshSettingsPath();
    const eco = up.eco({ settingsPath: path, cachingEnabled: true, mode: "dev" });
    const request = ask("constructor wins");
    await eco.chat.completions.create(request);

    writeSettings(path, { cachingEnabled: false, mode: "prod", ttl: 0 });
    await sleep(PICKUP_MS);
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
    })).toBe(0);
    expect(eco.mode).toBe("dev");
  }, 10_000);

  test("an ECOAI_* variable wins over the file", async () => {
    const { path } = freshSettingsPath();
    process.env.ECOAI_CACHING_ENABLED = "true";
    try {
      const eco = up.eco({ settingsPath: path });
      const request = ask("environment wins");
      await eco.chat.completions.create(request);
      writeSettings(path, { cachingEnabled: false });
      await sleep(PICKUP_MS);
      expect(await upstreamCalls(() => eco.chat.completions.create(request))).toBe(0);
    } finally {
      delete process.env.ECOAI_CACHING_ENABLED;
    }
  }, 10_000);

  test("setMode wins over the file, also after the file changes", async () => {
    const { path } = freshSettingsPath();
    writeSettings(path, { mode: "prod" });
    const eco = up.eco({ settingsPath: path });
    expect(eco.mode).toBe("prod");
    eco.setMode("dev");
    expect(eco.mode).toBe("dev");
    writeSettings(path, { mode: "prod", ttl: 5 });
    await sleep(PICKUP_MS);
    expect(eco.mode).toBe("dev");
  }, 10_000);

  test("a file that becomes invalid while running is ignored with one warning; the settings in force stay and calls succeed", async () => {
    const { path } = freshSettingsPath();
    const logger = recordingLogger();
    const eco = up.eco({ settingsPath: path, logger });
    writeSettings(path, { cachingEnabled: false });
    await sleep(PICKUP_MS);
    const request = ask("invalid settings while running");
    expect(await upstreamCalls(() => eco.chat.completions.create(request))).toBe(1);
    expect(logger.messages).toEqual([]);

    writeFileSync(path, "{ this is not json");
    await sleep(PICKUP_MS);
    let content: string | null | undefined;
    // Still caching off: the last good settings stay in force.
    expect(await upstreamCalls(async () => {
      content = (await eco.chat.completions.create(request)).choices[0]?.message.content;
      await eco.chat.completions.create(request);
    })).toBe(2);
    expect(content).toBeString();
    const warnings = logger.messages.filter((message) => message.includes(path));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ignoring/i);

    // Still broken, no new change: no further warning.
    await sleep(PICKUP_MS);
    await eco.chat.completions.create(request);
    expect(logger.messages.filter((message) => message.includes(path))).toHaveLength(1);

    // A valid value that is wrong: same treatment.
    writeFileSync(path, JSON.stringify({ mode: "staging" }));
    await sleep(PICKUP_MS);
    await eco.chat.completions.create(request);
    expect(logger.messages.filter((message) => message.includes(path))).toHaveLength(2);
    expect(eco.mode).toBe("dev");

    // writeSettings merges into the file, so it refuses to build on a broken one.
    expect(configError(() => writeSettings(path, { cachingEnabled: true })).message).toContain(path);

    // Fixed by hand: picked up again.
    writeFileSync(path, JSON.stringify({ cachingEnabled: true }));
    await sleep(PICKUP_MS);
    await eco.chat.completions.create(request);
    expect(await upstreamCalls(() => eco.chat.completions.create(request))).toBe(0);
  }, 15_000);

  test("a settings file removed while running falls back to the defaults", async () => {
    const { path } = freshSettingsPath();
    writeSettings(path, { cachingEnabled: false });
    const eco = up.eco({ settingsPath: path });
    const request = ask("settings file removed");
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
    })).toBe(2);
    unlinkSync(path);
    await sleep(PICKUP_MS);
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
    })).toBe(1);
  }, 10_000);

  test("an unusable value at construction never stops the app: one warning naming the file and field, the next source applies", async () => {
    const { path } = freshSettingsPath();
    writeFileSync(path, JSON.stringify({ ttl: -1, mode: "prod", cachingEnabled: "no", colour: "green" }));
    const logger = recordingLogger();
    const eco = up.eco({ settingsPath: path, logger });
    expect(logger.messages).toHaveLength(3);
    for (const [field, shown] of [["ttl", "-1"], ["cachingEnabled", '"no"'], ["colour", '"green"']]) {
      expect(logger.messages.filter((message) => message.includes(`Invalid ${field} ${shown} (from settings file ${path})`))).toHaveLength(1);
    }
    // The usable field applies; the unusable ones fall back (caching on, default TTL).
    expect(eco.mode).toBe("prod");
    const request = ask("unusable settings at start");
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
    })).toBe(1);
    expect(logger.messages).toHaveLength(3);
  });

  test.each([["{ broken", /not valid JSON/], ["[1, 2]", /expected a JSON object/]])("a settings file %p at construction is one warning; the app starts on the defaults", async (text, reason) => {
    const { path } = freshSettingsPath();
    writeFileSync(path, text);
    const logger = recordingLogger();
    const eco = up.eco({ settingsPath: path, logger });
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(`(from settings file ${path})`);
    expect(logger.messages[0]).toMatch(reason);
    expect(eco.mode).toBe("dev");
    expect(await upstreamCalls(() => eco.chat.completions.create(ask(`broken settings ${text}`)))).toBe(1);
  });

  test("constructor options and ECOAI_* variables still fail fast", () => {
    const { path } = freshSettingsPath();
    expect(configError(() => up.eco({ settingsPath: path, ttl: -1 })).source).toBe("constructor option");
    process.env.ECOAI_MODE = "staging";
    try {
      expect(configError(() => up.eco({ settingsPath: path })).source).toBe("environment variable ECOAI_MODE");
    } finally {
      delete process.env.ECOAI_MODE;
    }
  });

  test("a bad field written while running is named once, however often the file changes", async () => {
    const { path } = freshSettingsPath();
    const logger = recordingLogger();
    const eco = up.eco({ settingsPath: path, logger });
    writeFileSync(path, JSON.stringify({ ttl: 1e308, mode: "prod" }));
    await sleep(PICKUP_MS);
    expect(eco.mode).toBe("prod");
    writeFileSync(path, JSON.stringify({ ttl: 1e308, mode: "dev" }));
    await sleep(PICKUP_MS);
    expect(eco.mode).toBe("dev");
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(`Invalid ttl 1e+308 (from settings file ${path}): expected at most 315360000 seconds (ten years)`);
  }, 10_000);
});

test("semanticEnabled written while running, with no way to embed: one warning naming the file and field, calls go on", async () => {
  const { path } = freshSettingsPath();
  const openai = up.openai();
  // An OpenAI-compatible client without an embeddings API, and no OPENAI_API_KEY.
  const client = { baseURL: openai.baseURL, chat: { completions: { create: (body: object) => openai.chat.completions.create(body as never) } } };
  const savedKey = process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_API_KEY;
  const logger = recordingLogger();
  try {
    const eco = up.wrap(client, { settingsPath: path, logger });
    writeSettings(path, { semanticEnabled: true });
    await sleep(PICKUP_MS);
    const request = ask("semantic switched on by the dashboard");
    expect(await upstreamCalls(async () => {
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
    })).toBe(1);
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(`Invalid semanticEnabled true (from settings file ${path})`);
  } finally {
    if (savedKey !== undefined) process.env.OPENAI_API_KEY = savedKey;
  }
}, 10_000);

describe("the settings path", () => {
  test("a settingsPath option that is a folder is a config error naming it", () => {
    const { dir } = freshSettingsPath();
    const error = configError(() => up.eco({ settingsPath: dir }));
    expect(error.option).toBe("settingsPath");
    expect(error.source).toBe("constructor option");
    expect(error.message).toContain(`Invalid settingsPath ${JSON.stringify(dir)} (from constructor option): this is a folder`);
  });

  test("readSettings of a folder is a config error, not a raw EISDIR", () => {
    const { dir } = freshSettingsPath();
    const error = configError(() => readSettings(dir));
    expect(error.message).toContain("it is a folder");
  });
});

describe("TTLs are at most ten years wherever they are set", () => {
  test("the settings file: readSettings refuses it, writeSettings writes nothing", () => {
    const { path } = freshSettingsPath();
    writeFileSync(path, JSON.stringify({ ttl: 1e308 }));
    expect(configError(() => readSettings(path)).message).toContain("at most 315360000 seconds");
    writeFileSync(path, "{}");
    expect(configError(() => writeSettings(path, { ttl: 315_360_001 })).option).toBe("ttl");
    expect(readSettings(path)).toEqual({});
    expect(writeSettings(path, { ttl: 315_360_000 })).toEqual({ ttl: 315_360_000 });
  });

  test("the dashboard's settings form is refused with the same rule", async () => {
    const { dir, path } = freshSettingsPath();
    const app = await createDashboardApp({ dbPath: join(dir, "usage.db"), settingsPath: path });
    try {
      const response = await put(app, "/api/settings", { ttl: 1e308 });
      expect(response.status).toBe(400);
      expect(response.body.errors.ttl).toContain("at most 315360000 seconds");
      expect(existsSync(path)).toBe(false);
    } finally {
      app.close();
    }
  });
});
