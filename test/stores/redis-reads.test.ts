import { expect, test } from "bun:test";
import Redis from "ioredis";
import { useRedisStores } from "./redis-stores.ts";
import { makeEntry } from "./suite.ts";
import { tracedCommands } from "./redis-tracing.ts";

const stores = useRedisStores("reads");
const { redis } = stores;
const store = () => stores.store();

/** The socket reads the server has processed so far (INFO stats); this probe's own command adds one. */
async function serverReads(probe: Redis): Promise<number> {
  const info = await probe.info("stats");
  return Number(/total_reads_processed:(\d+)/.exec(info)![1]);
}

test("redis store: the reads of one turn after the first reach the server in one write, each answered with its own entry", async () => {
  const s = store();
  const keys = Array.from({ length: 64 }, (_, i) => `entry-${i}`);
  await s.setMany!(keys.map((key) => ({ entry: makeEntry({ key, body: JSON.stringify({ answer: key }), prompt: `prompt of ${key}` }) })));
  const probe = stores.client();
  await serverReads(probe);

  const before = await serverReads(probe);
  const entries = await Promise.all([...keys.map((key) => s.get(key)), s.get("never-written")]);
  const after = await serverReads(probe);

  expect(entries.slice(0, 64).map((entry) => [entry?.key, entry?.body, entry?.prompt])).toEqual(keys.map((key) => [key, JSON.stringify({ answer: key }), `prompt of ${key}`]));
  expect(entries[64]).toBeUndefined();
  // 65 reads of about 300 bytes: the first alone, the other 64 in one write that the server
  // reads in at most two 16 KB reads, and the probe's own INFO (sent one by one: 16 to 29 reads).
  expect(after - before).toBeLessThanOrEqual(4);
});

test("redis store: a write made in the same turn as reads is not held behind them, and both are answered", async () => {
  const s = store();
  await s.set(makeEntry({ key: "old" }));
  const read = s.get("old");
  const written = s.set(makeEntry({ key: "new", body: '{"fresh":true}' }));
  const [entry] = await Promise.all([read, written]);
  expect(entry?.key).toBe("old");
  expect((await s.get("new"))?.body).toBe('{"fresh":true}');
});

test("redis store: reads are traced on ioredis's command channel while a subscriber listens", async () => {
  const s = store();
  await s.set(makeEntry({ key: "traced" }));
  const commands = await tracedCommands(async () => {
    expect((await s.get("traced"))?.key).toBe("traced");
  });
  expect(commands).toContain("hmget");
});
