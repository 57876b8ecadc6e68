/**
 * Cache entries written after the caller is answered: what a user can see of it. The answer does
 * not wait for the write; until the write lands, identical calls (plain or streamed) are served
 * from the answer the process already has; `flush()` and `close()` account for what is pending.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createWriteBehind, MAX_BATCH_ENTRIES } from "../../src/cache/write-behind.ts";
import { createMemoryStore } from "../../src/stores/memory.ts";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { ask, CHAT_ROUTE, filesNamed, useUpstream } from "../harness.ts";
import { makeEntry } from "../stores/suite.ts";

const up = useUpstream();

/** The keys of the entries in a SQLite cache file, read through a connection of its own. */
function storedKeys(sqlitePath: string): string[] {
  const db = openDatabase(sqlitePath);
  try {
    return db.prepare("SELECT key FROM cache_entries").all().map((row) => String(row.key));
  } finally {
    db.close();
  }
}

/**
 * What other work sees while pending entries land: the entries stored after each `pause`, until
 * all `total` are. Returns how many each write added, and how many pauses it took.
 */
async function writeSteps(sqlitePath: string, total: number, pause: () => Promise<void>): Promise<{ steps: number[]; pauses: number }> {
  const seen = [storedKeys(sqlitePath).length];
  for (let i = 0; i < 500 && seen.at(-1)! < total; i++) {
    await pause();
    seen.push(storedKeys(sqlitePath).length);
  }
  expect(seen.at(-1)).toBe(total);
  return { steps: seen.slice(1).map((count, i) => count - seen[i]!).filter((step) => step > 0), pauses: seen.length - 1 };
}

describe("a miss's entry is written after its caller is answered", () => {
  test("the answer comes before the write; an identical call meanwhile is a hit with no upstream request, and the entry lands", async () => {
    const name = "answered-first";
    const { sqlitePath } = filesNamed(up.dir, name);
    const eco = up.wrap(up.openai(), {}, name);
    const before = up.sim.count(CHAT_ROUTE);
    const first = await eco.chat.completions.create(ask("answered before it is written"));
    // Nothing has run since the answer: the entry is still pending.
    expect(storedKeys(sqlitePath)).toEqual([]);
    const again = await eco.chat.completions.create(ask("answered before it is written"));
    expect(again).toEqual(first);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    const [hit, miss] = await eco.history({ limit: 2 });
    expect([hit?.cacheHit, miss?.cacheHit]).toEqual([true, false]);
    await Bun.sleep(20);
    expect(storedKeys(sqlitePath)).toHaveLength(1);
  });

  test("a streamed call arriving before the plain answer's write replays it", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    const plain = await eco.chat.completions.create(ask("streamed after a plain answer"));
    const stream = await eco.chat.completions.create({ ...ask("streamed after a plain answer"), stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe(plain.choices[0]!.message.content!);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  });

  test("answers of one moment land together, each under its own key", async () => {
    const name = "one-batch";
    const { sqlitePath } = filesNamed(up.dir, name);
    const eco = up.wrap(up.openai(), {}, name);
    const prompts = Array.from({ length: 40 }, (_, i) => `batched answer ${i}`);
    await Promise.all(prompts.map((prompt) => eco.chat.completions.create(ask(prompt))));
    await Bun.sleep(50);
    expect(storedKeys(sqlitePath)).toHaveLength(40);
    const before = up.sim.count(CHAT_ROUTE);
    await Promise.all(prompts.map((prompt) => eco.chat.completions.create(ask(prompt))));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
  });

  test("a burst of answers is written a few at a time, a batch a turn of the event loop, until all are", async () => {
    const store = createSqliteStore({ path: join(up.dir, "burst.cache.db") });
    const writes = createWriteBehind(store, async (write) => {
      await write();
      return true;
    });
    // Forty answers handed over in one turn, as forty callers answered at once would.
    const written = Array.from({ length: 40 }, (_, i) => writes.enqueue({ entry: makeEntry({ key: `burst-${i}` }) }));
    const { steps, pauses } = await writeSteps(join(up.dir, "burst.cache.db"), written.length, () => new Promise<void>((resolve) => setImmediate(resolve)));
    expect(await Promise.all(written)).toEqual(written.map(() => true));
    expect(Math.max(...steps)).toBeLessThanOrEqual(MAX_BATCH_ENTRIES);
    expect(steps.length).toBeGreaterThanOrEqual(Math.ceil(written.length / MAX_BATCH_ENTRIES));
    // A full batch waiting is written at the next turn, not after a timer: the burst drains at once.
    expect(pauses).toBeLessThanOrEqual(Math.ceil(written.length / MAX_BATCH_ENTRIES) + 1);
    await writes.close();
    await store.close();
  });

  test("a batch of large answers is cut by their size: each write stores a few", async () => {
    const name = "large-burst";
    const { sqlitePath } = filesNamed(up.dir, name);
    // About 24 KB of JSON an answer: three fit in one batch's bytes.
    const eco = up.wrap(up.openai({ defaultHeaders: { "x-sim-reply-tokens": "5000" } }), {}, name);
    const prompts = Array.from({ length: 8 }, (_, i) => `large answer ${i}`);
    await Promise.all(prompts.map((prompt) => eco.chat.completions.create(ask(prompt))));
    const { steps } = await writeSteps(sqlitePath, prompts.length, () => Bun.sleep(1));
    expect(Math.max(...steps)).toBeLessThan(prompts.length);
    expect(steps.length).toBeGreaterThan(1);
  });

  test("while the store asks writes to wait (a checkpoint of its file running), a batch waits, served from the queue, and is written once it may be, or after the longest wait", async () => {
    const memory = createMemoryStore();
    let wait = true;
    let asked = 0;
    const store = { ...memory, writesWait: () => (asked++, wait) };
    const writes = createWriteBehind(store, async (write) => (await write(), true));
    const held = writes.enqueue({ entry: makeEntry({ key: "held" }) });
    for (let i = 0; i < 500 && asked < 3; i++) await Bun.sleep(1);
    expect(asked).toBeGreaterThanOrEqual(3);
    expect(await memory.get("held")).toBeUndefined();
    expect(writes.pending("held")?.key).toBe("held");
    wait = false;
    expect(await held).toBe(true);
    expect((await memory.get("held"))?.key).toBe("held");
    // A store that never stops asking still gets its writes, after the longest wait (MAX_WRITE_WAIT_MS).
    wait = true;
    expect(await writes.enqueue({ entry: makeEntry({ key: "waited out" }) })).toBe(true);
    expect((await memory.get("waited out"))?.key).toBe("waited out");
    // flush() writes at once, waiting for nothing.
    const flushed = writes.enqueue({ entry: makeEntry({ key: "flushed" }) });
    await writes.flush();
    expect((await memory.get("flushed"))?.key).toBe("flushed");
    expect(await flushed).toBe(true);
    await writes.close();
    await memory.close();
  });

  test("close() writes the entries still pending: another instance on the file serves them", async () => {
    const name = "closed-pending";
    const eco = up.wrap(up.openai(), {}, name);
    await eco.chat.completions.create(ask("written at close"));
    await eco.close();
    const reopened = up.wrap(up.openai(), {}, name);
    const before = up.sim.count(CHAT_ROUTE);
    await reopened.chat.completions.create(ask("written at close"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
  });

  for (const storage of ["sqlite", "memory"] as const) {
    test(`flush() removes an entry still pending and counts it (${storage})`, async () => {
      const eco = up.eco({ storage });
      await eco.chat.completions.create(ask("flushed before it is written"));
      expect(await eco.flush()).toBe(1);
      const before = up.sim.count(CHAT_ROUTE);
      await eco.chat.completions.create(ask("flushed before it is written"));
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    });
  }
});
