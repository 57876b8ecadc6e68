import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import OpenAI from "openai";
import { openDatabase } from "../../src/sqlite/database.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";

const up = useUpstream();

/** Runs `body` with every simulator answer delayed by `ms`. */
async function slowUpstream<T>(ms: number, body: () => Promise<T>): Promise<T> {
  up.sim.delayMs = ms;
  try {
    return await body();
  } finally {
    up.sim.delayMs = 0;
  }
}

describe("coalescing in one process", () => {
  test("callers waiting on an identical call that its own caller aborted still get the answer, from one new request", async () => {
    const eco = up.eco();
    await slowUpstream(150, async () => {
      const controller = new AbortController();
      const before = up.sim.count(CHAT_ROUTE);
      const aborted = eco.chat.completions.create(ask("aborted by its caller"), { signal: controller.signal }).catch((error: unknown) => error);
      await Bun.sleep(20);
      const waiting = [1, 2, 3].map(() => eco.chat.completions.create(ask("aborted by its caller")));
      await Bun.sleep(20);
      controller.abort();
      expect(await aborted).toBeInstanceOf(OpenAI.APIUserAbortError);
      const answers = await Promise.all(waiting);
      for (const answer of answers) expect(answer).toEqual(answers[0]!);
      expect(answers[0]!.choices[0]!.message.content).toBeString();
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
    });
  });

  test("a caller waiting on an identical call that timed out by its own timeout still gets the answer", async () => {
    const eco = up.eco();
    await slowUpstream(150, async () => {
      const short = eco.chat.completions.create(ask("timed out by its caller"), { timeout: 40 }).catch((error: unknown) => error);
      await Bun.sleep(10);
      const waiting = eco.chat.completions.create(ask("timed out by its caller"));
      expect(await short).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
      expect((await waiting).choices[0]!.message.content).toBeString();
    });
  });
});

describe("coalescing keys", () => {
  test("a call joins an identical call in flight only when everything it sends is equal: body override, query and headers keep it apart", async () => {
    const eco = up.eco();
    const a = ask("Question A: coalesced by the whole request");
    const b = ask("Question B: another request");
    await slowUpstream(100, async () => {
      const before = up.sim.count(CHAT_ROUTE);
      const [plain, overridden, queried, beta, again] = await Promise.all([
        eco.chat.completions.create(a),
        eco.chat.completions.create(a, { body: b }),
        eco.chat.completions.create(a, { query: { variant: "q" } }),
        eco.chat.completions.create(a, { headers: { "OpenAI-Beta": "assistants=v2" } }),
        eco.chat.completions.create(a),
      ]);
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(4);
      expect(overridden.choices[0]!.message.content).toContain("Question B");
      expect(plain.choices[0]!.message.content).toContain("Question A");
      expect(again.id).toBe(plain.id);
      expect(new Set([plain.id, overridden.id, queried.id, beta.id]).size).toBe(4);
    });
  });
});

describe("keys", () => {
  test("a request JSON cannot encode has no key: the call gets the SDK's own error", async () => {
    const cyclic: Record<string, unknown> = ask("cyclic");
    cyclic.extra = { self: cyclic };
    const own = await up.openai().chat.completions.create(cyclic as never).catch((error: unknown) => error);
    const wrapped = await up.eco().chat.completions.create(cyclic as never).catch((error: unknown) => error);
    expect(own).toBeInstanceOf(TypeError);
    expect(wrapped).toBeInstanceOf(TypeError);
    expect((wrapped as Error).message).toBe((own as Error).message);
  });
});

describe("close()", () => {
  test("waits for every call in flight, pass-through calls too, and writes their usage rows", async () => {
    for (const config of [{ cachingEnabled: false }, {}, { storage: "memory" as const }]) {
      const logPath = join(up.dir, `close-${Math.random().toString(36).slice(2)}.db`);
      const eco = up.eco({ ...config, logPath });
      await slowUpstream(80, async () => {
        const pending = [eco.chat.completions.create(ask("in flight at close")), eco.chat.completions.create({ ...ask("streamed at close"), stream: true })];
        await Bun.sleep(10);
        await eco.close();
        await Promise.all(pending);
      });
      const log = openDatabase(logPath);
      expect(log.prepare("SELECT count(*) AS n FROM usage_log").get()).toEqual({ n: 2 });
      log.close();
    }
  });

  test("a second close() resolves only once the first has finished", async () => {
    const logPath = join(up.dir, "close-twice.db");
    const eco = up.eco({ logPath });
    await slowUpstream(80, async () => {
      const pending = eco.chat.completions.create(ask("in flight at a double close"));
      await Bun.sleep(10);
      void eco.close();
      await eco.close();
      const log = openDatabase(logPath);
      expect(log.prepare("SELECT count(*) AS n FROM usage_log").get()).toEqual({ n: 1 });
      log.close();
      await pending;
    });
  });
});
