import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { hashCacheKey } from "../../src/index.ts";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { ask, CHAT_ROUTE, entriesWritten, useUpstream } from "../harness.ts";
import { makeEntry } from "../stores/suite.ts";

// Every cached method's check of a stored body's shape is a case of the provider suite
// (test/providers/suite.ts, "storedShape").
const up = useUpstream();

describe("only a real answer is served", () => {
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
    await entriesWritten(eco);
    const reopened = createSqliteStore({ path: sqlitePath });
    expect(JSON.parse((await reopened.get(key))!.body).choices).toHaveLength(1);
    await reopened.close();
  });
});
