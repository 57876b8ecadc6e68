import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import { hashCacheKey } from "../../src/index.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { ask, CHAT_ROUTE, recordingLogger, TEST_API_KEY } from "../harness.ts";
import { makeEntry } from "../stores/suite.ts";
import { useProviders } from "../providers/wrapped.ts";

const { up, wrap, anthropic } = useProviders();

/** What another provider's answer looks like, for planting under a key of the wrong method. */
const CHAT_COMPLETION = { id: "chatcmpl-x", object: "chat.completion", created: 1, model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "planted" }, finish_reason: "stop" }] };
const ANTHROPIC_MESSAGE = { id: "msg_x", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [{ type: "text", text: "planted" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 1 } };

/** Bodies that are JSON but not a response of any cached method. */
const NOT_RESPONSES: unknown[] = [null, {}, [], "text", 42, { choices: [] }, { choices: [null] }, { content: "x" }, { candidates: [] }, { data: [] }];

/** Writes `body` over every entry of a cache file. */
function plant(sqlitePath: string, body: unknown): void {
  const db = openDatabase(sqlitePath);
  db.prepare("UPDATE cache_entries SET body = ?").run(JSON.stringify(body));
  db.close();
}

interface Case {
  name: string;
  route: string;
  /** A cached call through a wrapper with the given options; resolves to whether its answer is real. */
  call: (options: { sqlitePath: string; logger: ReturnType<typeof recordingLogger> }) => () => Promise<boolean>;
  /** Another provider's answer. */
  foreign: unknown;
}

const CASES: Case[] = [
  {
    name: "openai chat.completions",
    route: CHAT_ROUTE,
    foreign: ANTHROPIC_MESSAGE,
    call: (config) => {
      const eco = up.eco(config);
      return async () => typeof (await eco.chat.completions.create(ask("a corrupt chat row"))).choices[0]!.message.content === "string";
    },
  },
  {
    name: "openai responses",
    route: "openai.responses",
    foreign: CHAT_COMPLETION,
    call: (config) => {
      const eco = up.eco(config);
      return async () => (await eco.responses.create({ model: "gpt-4.1-mini", input: "a corrupt responses row" })).output_text.length > 0;
    },
  },
  {
    name: "openai images.generate",
    route: "openai.images.generations",
    foreign: CHAT_COMPLETION,
    call: (config) => {
      const eco = up.eco(config);
      return async () => typeof (await eco.images.generate({ model: "gpt-image-1", prompt: "a corrupt image row" })).data?.[0]?.b64_json === "string";
    },
  },
  {
    name: "@anthropic-ai/sdk messages",
    route: "anthropic.messages",
    foreign: CHAT_COMPLETION,
    call: (config) => {
      const eco = wrap(anthropic(), config);
      return async () => (await eco.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "a corrupt message row" }] })).content[0]?.type === "text";
    },
  },
  {
    name: "@google/genai generateContent",
    route: "gemini.generateContent",
    foreign: ANTHROPIC_MESSAGE,
    call: (config) => {
      const eco = wrap(new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } }), config);
      return async () => ((await eco.models.generateContent({ model: "gemini-2.5-flash", contents: "a corrupt gemini row" })).text ?? "").length > 0;
    },
  },
  {
    name: "@google/generative-ai generateContent",
    route: "gemini.generateContent",
    foreign: { response: CHAT_COMPLETION },
    call: (config) => {
      const model = new GoogleGenerativeAI(TEST_API_KEY).getGenerativeModel({ model: "gemini-1.5-flash" }, { baseUrl: up.sim.geminiBaseURL });
      const eco = wrap(model, config);
      return async () => (await eco.generateContent("a corrupt generative-ai row")).response.text().length > 0;
    },
  },
];

describe("only a real answer is served", () => {
  for (const { name, route, call, foreign } of CASES) {
    test(`${name}: a stored body without the method's response shape is removed, a miss that stores the real answer, reported once`, async () => {
      const sqlitePath = join(up.dir, `corrupt-${Math.random().toString(36).slice(2)}.db`);
      const logger = recordingLogger();
      const run = call({ sqlitePath, logger });
      expect(await run()).toBe(true);
      for (const body of [...NOT_RESPONSES, foreign]) {
        plant(sqlitePath, body);
        const before = up.sim.count(route);
        expect(await run()).toBe(true);
        expect({ body, upstream: up.sim.count(route) - before }).toEqual({ body, upstream: 1 });
      }
      // The last miss stored a real answer, served from now on.
      const before = up.sim.count(route);
      expect(await run()).toBe(true);
      expect(up.sim.count(route) - before).toBe(0);
      expect(logger.messages.filter((message) => message.includes("unreadable cache entry"))).toHaveLength(1);
    });
  }

  test("a row planted under the real key before any call is never served; the call logs a miss", async () => {
    const sqlitePath = join(up.dir, "planted.db");
    const request = ask("planted before any call");
    const key = hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL: up.sim.openaiBaseURL, params: request });
    const store = createSqliteStore({ path: sqlitePath });
    await store.set(makeEntry({ key, body: JSON.stringify({ choices: [] }) }));
    await store.close();
    const eco = up.eco({ sqlitePath });
    const before = up.sim.count(CHAT_ROUTE);
    const answer = await eco.chat.completions.create(request);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(answer.choices[0]!.message.content).toContain("planted before any call");
    expect((await eco.history()).map((record) => record.cacheHit)).toEqual([false]);
    const reopened = createSqliteStore({ path: sqlitePath });
    expect(JSON.parse((await reopened.get(key))!.body).choices).toHaveLength(1);
    await reopened.close();
  });
});
