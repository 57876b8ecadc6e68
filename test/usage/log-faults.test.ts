import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { createUsageLog } from "../../src/usage/log.ts";
import type { NewUsageRecord } from "../../src/usage/row.ts";
import { ask, recordingLogger, TEST_API_KEY, useUpstream } from "../harness.ts";

const up = useUpstream();

function countRows(path: string, where = "1"): number {
  const db = openDatabase(path);
  try {
    return Number(db.prepare(`SELECT count(*) AS n FROM usage_log WHERE ${where}`).get()!.n);
  } finally {
    db.close();
  }
}

function removeLog(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { recursive: true, force: true });
}

const GARBAGE = "this is not a SQLite database, just text someone wrote here. ".repeat(200);

function row(prompt: string): NewUsageRecord {
  return {
    timestamp: new Date().toISOString(), provider: "openai", model: "gpt-4o", cacheHit: false, semanticHit: false, cacheKey: null,
    prompt, promptType: "text", usage: { inputTokens: 3, cachedInputTokens: 0, outputTokens: 4 }, latencyMs: 1,
  };
}

describe("token counts a provider sends as something other than a number", () => {
  test('usage.prompt_tokens: "n/a" from an OpenAI-compatible server is logged as 0 and never blocks the rows after it', async () => {
    const logPath = join(up.dir, "n-a-usage.db");
    const logger = recordingLogger();
    const eco = up.eco({ logPath, logger });
    const odd = up.openai({ defaultHeaders: { "x-sim-prompt-tokens": "n/a" } });
    const oddEco = up.eco({ client: odd, logPath, logger } as never);
    const first = await oddEco.chat.completions.create(ask("counted by a server that does not count"));
    expect(first.usage?.prompt_tokens as unknown).toBe("n/a");
    // Hits, misses, and more odd answers after it: 1,200 calls in all.
    for (let i = 0; i < 1200; i++) await (i % 100 === 0 ? oddEco : eco).chat.completions.create(ask(`after the odd answer ${i % 40}`));
    await eco.close();
    await oddEco.close();
    expect(countRows(logPath)).toBe(1201);
    expect(countRows(logPath, "prompt = 'counted by a server that does not count' AND input_tokens = 0 AND output_tokens > 0")).toBe(1);
    expect(logger.messages).toEqual([]);
  });

  test("the same through the Anthropic SDK: input_tokens \"n/a\"", async () => {
    const logPath = join(up.dir, "anthropic-n-a-usage.db");
    const client = new Anthropic({ baseURL: up.sim.anthropicBaseURL, apiKey: TEST_API_KEY, maxRetries: 0, defaultHeaders: { "x-sim-prompt-tokens": "n/a" } });
    const eco = up.wrap(client, { logPath });
    for (let i = 0; i < 30; i++) await eco.messages.create({ model: "claude-3-5-haiku-latest", max_tokens: 50, messages: [{ role: "user", content: `question ${i % 3}` }] });
    const history = await eco.history({ limit: 100 });
    expect(history).toHaveLength(30);
    expect(history.every((record) => record.inputTokens === 0 && record.outputTokens > 0)).toBe(true);
    expect(history.filter((record) => record.cacheHit)).toHaveLength(27);
  });
});

describe("a row SQLite refuses", () => {
  test("is dropped with one warning and never holds back the rows behind it", async () => {
    const logPath = join(up.dir, "refusing-usage.db");
    const logger = recordingLogger();
    const eco = up.eco({ logPath, logger });
    await eco.chat.completions.create(ask("creates the log"));
    // A rule someone added to the log: SQLite refuses any row whose prompt mentions "forbidden".
    const db = openDatabase(logPath);
    db.exec("CREATE TRIGGER refuse_forbidden BEFORE INSERT ON usage_log WHEN NEW.prompt LIKE '%forbidden%' BEGIN SELECT RAISE(ABORT, 'forbidden prompt'); END");
    db.close();
    for (let i = 0; i < 50; i++) await eco.chat.completions.create(ask(i % 10 === 0 ? `forbidden ${i}` : `allowed ${i}`));
    expect(await eco.history({ limit: 100 })).toHaveLength(46);
    await eco.chat.completions.create(ask("forbidden again"));
    await eco.chat.completions.create(ask("allowed at the end"));
    await eco.close();
    expect(countRows(logPath)).toBe(47);
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(logPath);
    expect(logger.messages[0]).toContain("forbidden prompt");
  });
});

describe("a usage log that cannot be written", () => {
  test("keeps a bounded number of rows in memory, says so once, and writes them when it can", () => {
    const path = join(up.dir, "bounded-usage.db");
    writeFileSync(path, GARBAGE);
    const logger = recordingLogger();
    const log = createUsageLog({ path, logger, maxBuffered: 1000 });
    for (let i = 0; i < 20_000; i++) log.record(row(`waiting ${i}`));
    expect(log.flush()).toBe(false);
    expect(logger.messages).toHaveLength(2);
    expect(logger.messages[0]).toContain(path);
    expect(logger.messages[0]).toContain("not a database");
    expect(logger.messages[1]).toContain("dropping the oldest");

    rmSync(path);
    expect(log.close()).toBe(0);
    const written = countRows(path);
    expect(written).toBeGreaterThanOrEqual(900);
    expect(written).toBeLessThanOrEqual(1000);
    // The newest rows are the ones kept.
    expect(countRows(path, "prompt = 'waiting 19999'")).toBe(1);
  });

  test("deleted while running: one warning, calls succeed, later rows go to a new log at the same path", async () => {
    const logPath = join(up.dir, "deleted-usage.db");
    const logger = recordingLogger();
    const eco = up.eco({ logPath, logger });
    for (let i = 0; i < 5; i++) await eco.chat.completions.create(ask(`before deletion ${i}`));
    expect(await eco.history()).toHaveLength(5);
    removeLog(logPath);
    for (let i = 0; i < 5; i++) await eco.chat.completions.create(ask(`after deletion ${i}`));
    const after = await eco.history();
    expect(after.map((record) => record.prompt).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `after deletion ${i}`));
    await eco.close();
    expect(countRows(logPath)).toBe(5);
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(`${logPath} was deleted`);
  });

  test("replaced by a folder while running: one warning, calls succeed, rows written once the path is a file again", async () => {
    const logPath = join(up.dir, "folder-usage.db");
    const logger = recordingLogger();
    const eco = up.eco({ logPath, logger });
    await eco.chat.completions.create(ask("before the folder"));
    await eco.history();
    removeLog(logPath);
    mkdirSync(logPath);
    for (let i = 0; i < 5; i++) expect((await eco.chat.completions.create(ask(`during the folder ${i}`))).choices[0]?.message.content).toBeString();
    await eco.summary().catch(() => undefined);
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(logPath);
    expect(logger.messages[0]).toContain("could not open");

    rmSync(logPath, { recursive: true });
    await eco.close();
    expect(countRows(logPath)).toBe(5);
  });

  test("replaced by a garbage file while running: one warning naming the file, calls succeed, close says what was not written", async () => {
    const logPath = join(up.dir, "garbage-usage.db");
    const logger = recordingLogger();
    const eco = up.eco({ logPath, logger });
    await eco.chat.completions.create(ask("before the garbage"));
    await eco.history();
    removeLog(logPath);
    writeFileSync(logPath, GARBAGE);
    for (let i = 0; i < 5; i++) expect((await eco.chat.completions.create(ask(`after the garbage ${i}`))).choices[0]?.message.content).toBeString();
    await eco.summary().catch(() => undefined);
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(`usage log ${logPath} failed: it was replaced while in use and could not open it: file is not a database`);
    await eco.close();
    expect(logger.messages).toHaveLength(2);
    expect(logger.messages[1]).toContain(`usage log ${logPath}: 5 usage rows could not be written`);
  });
});
