import { afterEach, describe, expect, test } from "bun:test";
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import { join } from "node:path";
import { createLexicalEmbedder, EcoAI, writeSettings } from "../../src/index.ts";
import { configError } from "../expect-error.ts";
import { ask, CHAT_ROUTE, recordingLogger, TEST_API_KEY, useUpstream } from "../harness.ts";

const up = useUpstream();
const EMBEDDINGS = "openai.embeddings";

/** A client of OpenAI's shape that has no embeddings API (an OpenAI-compatible gateway, say). */
function chatOnlyClient() {
  const openai = up.openai();
  return { baseURL: openai.baseURL, chat: { completions: { create: (body: object, options?: object) => openai.chat.completions.create(body as never, options) } } };
}

const savedEnv = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };
afterEach(() => {
  for (const [name, value] of [["OPENAI_API_KEY", savedEnv.key], ["OPENAI_BASE_URL", savedEnv.url]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function files(name: string) {
  return { sqlitePath: join(up.dir, `${name}-cache.db`), logPath: join(up.dir, `${name}-usage.db`), settingsPath: join(up.dir, `${name}-settings.json`) };
}

describe("where embeddings come from", () => {
  test("no embedFn, no OpenAI client and no OPENAI_API_KEY: a config error at construction", () => {
    delete process.env.OPENAI_API_KEY;
    const error = configError(() => new EcoAI({ client: chatOnlyClient(), semantic: true, ...files("no-key") }));
    expect(error.option).toBe("semantic");
    expect(error.source).toBe("constructor option");
    expect(error.message).toContain("embedFn");
    expect(error.message).toContain("OPENAI_API_KEY");
  });

  test("a Gemini client with no embedFn and no OPENAI_API_KEY: the same error", () => {
    delete process.env.OPENAI_API_KEY;
    const client = new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } });
    expect(configError(() => new EcoAI({ client, semantic: { threshold: 0.9 }, ...files("gemini-no-key") })).option).toBe("semantic");
  });

  test("the settings file turning semantic on without embeddings does not stop the app: one warning naming the file and field, exact matching", async () => {
    delete process.env.OPENAI_API_KEY;
    const paths = files("settings-no-key");
    writeSettings(paths.settingsPath, { semanticEnabled: true });
    const logger = recordingLogger();
    const eco = new EcoAI({ client: chatOnlyClient(), logger, ...paths });
    try {
      expect(logger.messages).toHaveLength(1);
      expect(logger.messages[0]).toContain(`Invalid semanticEnabled true (from settings file ${paths.settingsPath})`);
      expect(logger.messages[0]).toContain("OPENAI_API_KEY");
      const before = { chat: up.sim.count(CHAT_ROUTE), embeddings: up.sim.count(EMBEDDINGS) };
      await eco.chat.completions.create(ask("semantic asked by the settings file"));
      await eco.chat.completions.create(ask("semantic asked by the settings file"));
      expect(up.sim.count(CHAT_ROUTE) - before.chat).toBe(1);
      expect(up.sim.count(EMBEDDINGS) - before.embeddings).toBe(0);
      expect(logger.messages).toHaveLength(1);
    } finally {
      await eco.close();
    }
  });

  test("with OPENAI_API_KEY, a client of its own embeds (here against the simulator)", async () => {
    process.env.OPENAI_API_KEY = TEST_API_KEY;
    process.env.OPENAI_BASE_URL = up.sim.openaiBaseURL;
    const eco = new EcoAI({ client: chatOnlyClient(), semantic: { threshold: 0.9 }, logger: recordingLogger(), ...files("own-client") });
    try {
      const before = { chat: up.sim.count(CHAT_ROUTE), embeddings: up.sim.count(EMBEDDINGS) };
      await eco.chat.completions.create(ask("What is the capital of France?"));
      await eco.chat.completions.create(ask("what is the capital of france"));
      expect(up.sim.count(CHAT_ROUTE) - before.chat).toBe(1);
      expect(up.sim.count(EMBEDDINGS) - before.embeddings).toBe(2);
    } finally {
      await eco.close();
    }
  });

  test("embedFn wins over the wrapped client's embeddings", async () => {
    const texts: string[] = [];
    const lexical = createLexicalEmbedder();
    const eco = up.eco({ semantic: { embedFn: (text) => (texts.push(text), lexical(text)) } });
    const before = up.sim.count(EMBEDDINGS);
    await eco.chat.completions.create(ask("Spell the word necessary."));
    await eco.chat.completions.create(ask("spell the word NECESSARY"));
    expect(texts).toEqual(["Spell the word necessary.", "spell the word NECESSARY"]);
    expect(up.sim.count(EMBEDDINGS)).toBe(before);
    const [hit] = await eco.history({ limit: 1 });
    expect(hit).toMatchObject({ semanticHit: true, embeddingTokens: 0, embeddingCostUsd: 0 });
  });
});

describe("which methods take part", () => {
  test("methods without a semantic split (image generation here) keep exact caching and are never embedded", async () => {
    const texts: string[] = [];
    const lexical = createLexicalEmbedder();
    const eco = up.eco({ semantic: { embedFn: (text) => (texts.push(text), lexical(text)) } });
    const body = { model: "dall-e-3", prompt: "A lighthouse at dawn", response_format: "b64_json" as const };
    const first = await eco.images.generate(body);
    const again = await eco.images.generate(body);
    expect(again.data).toEqual(first.data);
    expect((await eco.history({ limit: 1 }))[0]).toMatchObject({ cacheHit: true, semanticHit: false });
    expect(texts).toEqual([]);
  });

  test("Gemini requests take part through both SDKs, within one system instruction", async () => {
    const lexical = createLexicalEmbedder();
    const semantic = { embedFn: lexical, embeddingModel: "lexical", threshold: 0.9 };
    const route = "gemini.generateContent";
    const genai = new EcoAI({ client: new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } }), semantic, logger: recordingLogger(), ...files("genai-semantic") });
    const model = (systemInstruction: string) =>
      new GoogleGenerativeAI(TEST_API_KEY).getGenerativeModel({ model: "gemini-2.5-flash", systemInstruction }, { baseUrl: up.sim.geminiBaseURL });
    const legacy = new EcoAI({ client: model("Be brief."), semantic, logger: recordingLogger(), ...files("legacy-semantic") });
    const otherSystem = new EcoAI({ client: model("Be verbose."), semantic, logger: recordingLogger(), ...files("legacy-other"), sqlitePath: files("legacy-semantic").sqlitePath });
    try {
      const before = up.sim.count(route);
      const config = { systemInstruction: "Be brief." };
      const stored = await genai.models.generateContent({ model: "gemini-2.5-flash", contents: "What is the capital of France?", config });
      const served = await genai.models.generateContent({ model: "gemini-2.5-flash", contents: "what is the capital of france", config });
      expect(served.text).toBe(stored.text!);
      await genai.models.generateContent({ model: "gemini-2.5-flash", contents: "what is the capital of france", config: { systemInstruction: "Be verbose." } });
      expect(up.sim.count(route) - before).toBe(2);

      await legacy.generateContent("How do I reset my password?");
      await legacy.generateContent("how do I reset my password");
      await otherSystem.generateContent("how do I reset my password");
      expect(up.sim.count(route) - before).toBe(4);
      expect((await legacy.history()).map((record) => record.semanticHit)).toEqual([true, false]);
    } finally {
      await Promise.all([genai.close(), legacy.close(), otherSystem.close()]);
    }
  });

});

describe("settings file", () => {
  test("semanticEnabled and semanticThreshold apply when the constructor does not say", async () => {
    const paths = files("settings-on");
    writeSettings(paths.settingsPath, { semanticEnabled: true, semanticThreshold: 0.9 });
    const eco = up.eco(paths);
    await eco.chat.completions.create(ask("What is the capital of France?"));
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("What is the capital city of France?")); // 0.91
    expect(up.sim.count(CHAT_ROUTE)).toBe(before);
    const off = up.eco({ ...paths, semantic: false });
    await off.chat.completions.create(ask("What is the capital city of France?"));
    expect(up.sim.count(CHAT_ROUTE)).toBe(before + 1);
  });

  test("turning semantic on in the settings file reaches a running instance", async () => {
    const paths = files("settings-live");
    const eco = up.eco(paths);
    await eco.chat.completions.create(ask("How do I reset my password?"));
    const before = up.sim.count(CHAT_ROUTE);
    writeSettings(paths.settingsPath, { semanticEnabled: true, semanticThreshold: 0.9 });
    await Bun.sleep(600); // the settings file is looked at twice a second at most
    await eco.chat.completions.create(ask("How do I reset my password!"));
    await eco.chat.completions.create(ask("how do I reset my password"));
    // The first call embeds its prompt (the earlier entry has no vector); the second matches it.
    expect(up.sim.count(CHAT_ROUTE)).toBe(before + 1);
  });
});
