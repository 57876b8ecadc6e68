import { expect } from "bun:test";
import { join } from "node:path";
import type { EcoAI, SupportedClient } from "../../src/index.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { entriesWritten, recordingLogger, settle } from "../harness.ts";
import type { SuiteContext } from "./suite.ts";

/** Another SDK's answers, for planting under a key of a method they do not answer. */
export const FOREIGN_ANSWERS = {
  chatCompletion: { id: "chatcmpl-x", object: "chat.completion", created: 1, model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "planted" }, finish_reason: "stop" }] },
  anthropicMessage: { id: "msg_x", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [{ type: "text", text: "planted" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 1 } },
};

/** Stored bodies that are no response of any cached method: JSON of the wrong shape, and text that is not JSON. */
const NOT_RESPONSES: unknown[] = [null, {}, [], "text", 42, { choices: [] }, { choices: [null] }, { content: "x" }, { candidates: [] }, { data: [] }];
const NOT_JSON = "{not json";

/** What comes back: errors, non-answers and the answers at the edges. */
export function answerCases<C extends SupportedClient, Request, Result>({ up, surface, wrap, ask, upstream, it }: SuiteContext<C, Request, Result>): void {
  it("errors", async () => {
    const eco = wrap();
    for (const { status, type } of surface.errors) {
      const prompt = `fails once with ${status}`;
      up.sim.failNext(status, { route: surface.route });
      // The same request through the SDK alone, for the error it throws.
      const direct = await settle(surface.call(surface.client(up.sim) as EcoAI<C>, surface.request(prompt)));
      up.sim.failNext(status, { route: surface.route });
      const wrapped = await settle(ask(eco, prompt));
      const error = (wrapped as { error: Error & { status?: unknown } }).error;
      expect(error).toBeInstanceOf(type);
      expect(error.constructor).toBe((direct as { error: Error }).error.constructor);
      expect({ status: error.status, message: withoutRequestIds(error.message) }).toEqual({ status, message: withoutRequestIds((direct as { error: Error }).error.message) });
      // Not cached: the next call goes upstream, and its answer is what is cached.
      let answer: Result | undefined;
      expect(await upstream(async () => void (answer = await ask(eco, prompt)))).toBe(1);
      expect(surface.read(answer!).text).not.toBe("");
      expect(await upstream(() => ask(eco, prompt))).toBe(0);
    }
  });

  it("nonAnswers", async () => {
    expect(surface.nonAnswers.length).toBeGreaterThan(0);
    const eco = wrap();
    for (const outcome of surface.nonAnswers) {
      const results: Result[] = [];
      const calls = await upstream(async () => {
        for (let round = 0; round < 2; round++) results.push(await surface.call(eco, outcome.request("tell me")));
      });
      const rows = (await eco.history({ limit: 2 })).map((row) => row.cacheHit);
      expect({ outcome: outcome.name, provoked: results.map((result) => outcome.is(result)), upstream: calls, rows }).toEqual({ outcome: outcome.name, provoked: [true, true], upstream: 2, rows: [false, false] });
    }
  });

  it("answers", async () => {
    expect(surface.answers.length).toBeGreaterThan(0);
    const eco = wrap();
    for (const outcome of surface.answers) {
      let live: Result | undefined;
      let hit: Result | undefined;
      const calls = await upstream(async () => {
        live = await surface.call(eco, outcome.request("a long story please about many things"));
        hit = await surface.call(eco, outcome.request("a long story please about many things"));
      });
      expect({ outcome: outcome.name, provoked: outcome.is(live!), upstream: calls }).toEqual({ outcome: outcome.name, provoked: true, upstream: 1 });
      expect(surface.read(hit!)).toEqual(surface.read(live!));
      expect(JSON.parse(JSON.stringify(hit))).toEqual(JSON.parse(JSON.stringify(live)));
    }
  });

  it("storedShape", async () => {
    const sqlitePath = join(up.dir, `shape-${Math.random().toString(36).slice(2)}.db`);
    const logger = recordingLogger();
    const eco = wrap({ sqlitePath, logger });
    const prompt = "a corrupt row";
    const live = await ask(eco, prompt);
    for (const body of [...NOT_RESPONSES.map((value) => JSON.stringify(value)), JSON.stringify(surface.foreign), NOT_JSON]) {
      await entriesWritten(eco);
      plant(sqlitePath, body);
      let served: Result | undefined;
      const calls = await upstream(async () => void (served = await ask(eco, prompt)));
      expect({ body, upstream: calls }).toEqual({ body, upstream: 1 });
      expect(surface.read(served!).text).toBe(surface.read(live).text);
    }
    // The last miss stored the real answer, served from now on.
    expect(await upstream(() => ask(eco, prompt))).toBe(0);
    expect(logger.messages.filter((message) => message.includes("unreadable cache entry"))).toHaveLength(1);
  });
}

/** An error message with the request ids it quotes (one per request) blanked out. */
function withoutRequestIds(message: string): string {
  return message.replace(/\breq_[A-Za-z0-9]+/g, "req_…");
}

/** Writes `body` over every entry of a cache file. */
function plant(sqlitePath: string, body: string): void {
  const db = openDatabase(sqlitePath);
  db.prepare("UPDATE cache_entries SET body = ?").run(body);
  db.close();
}
