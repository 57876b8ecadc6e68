import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import Redis from "ioredis";
import OpenAI from "openai";
import { hashCacheKey } from "../../src/index.ts";
import { createRedisStore } from "../../src/stores/redis.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";
import { monitorRedis } from "../redis-monitor.ts";
import { useRedisServer } from "../redis-server.ts";

const up = useUpstream();
const redis = useRedisServer();
const CALLER = join(import.meta.dir, "..", "fixtures", "redis-caller.ts");

afterEach(() => {
  up.sim.delayMs = 0;
});

const newPrefix = () => `it-${Math.random().toString(36).slice(2)}:`;

function onRedis(redisKeyPrefix: string, extra: Parameters<typeof up.eco>[0] = {}) {
  return up.eco({ storage: "redis", redisUrl: redis.server.url, redisKeyPrefix, ...extra });
}

/** Reads a child's stdout line by line. */
function lines(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return async (): Promise<string> => {
    for (;;) {
      const end = buffered.indexOf("\n");
      if (end >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return buffered;
      buffered += decoder.decode(value, { stream: true });
    }
  };
}

/**
 * Runs `count` caller processes on one Redis prefix. With `together`, every child first reports
 * ready, then all are told to call at once. Resolves with each child's result.
 */
async function runCallers(count: number, keyPrefix: string, prompt: string, together: boolean) {
  const children = Array.from({ length: count }, (_, i) =>
    Bun.spawn(
      [process.execPath, CALLER, up.sim.openaiBaseURL, redis.server.url, keyPrefix, join(up.dir, `caller-${keyPrefix}${i}.db`), prompt, together ? "wait" : "now"],
      { stdin: "pipe", stdout: "pipe", stderr: "pipe" },
    ),
  );
  const readers = children.map((child) => lines(child.stdout));
  for (const read of readers) expect(await read()).toBe("ready");
  if (together) {
    for (const child of children) {
      child.stdin.write("go\n");
      await child.stdin.flush();
    }
  }
  const results = [];
  for (const [i, child] of children.entries()) {
    const result = await readers[i]!();
    const code = await child.exited;
    expect(await new Response(child.stderr).text()).toBe("");
    expect(code).toBe(0);
    results.push(JSON.parse(result) as { hit: boolean; content: string });
  }
  return results;
}

test("two EcoAI instances on one Redis share hits", async () => {
  const keyPrefix = newPrefix();
  const a = onRedis(keyPrefix);
  const b = onRedis(keyPrefix);
  const before = up.sim.count(CHAT_ROUTE);
  const first = await a.chat.completions.create(ask("shared between instances"));
  const second = await b.chat.completions.create(ask("shared between instances"));
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  expect(second).toEqual(first);
  expect((await b.history({ limit: 1 }))[0]?.cacheHit).toBe(true);
});

test("namespaces on one Redis never share answers", async () => {
  const keyPrefix = newPrefix();
  const before = up.sim.count(CHAT_ROUTE);
  await onRedis(keyPrefix, { namespace: "tenant-a" }).chat.completions.create(ask("tenant question"));
  await onRedis(keyPrefix, { namespace: "tenant-b" }).chat.completions.create(ask("tenant question"));
  await onRedis(keyPrefix, { namespace: "tenant-a" }).chat.completions.create(ask("tenant question"));
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
});

test("two OS processes on one Redis share hits", async () => {
  const keyPrefix = newPrefix();
  const before = up.sim.count(CHAT_ROUTE);
  const [first] = await runCallers(1, keyPrefix, "shared between processes", false);
  const [second] = await runCallers(1, keyPrefix, "shared between processes", false);
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  expect(first?.hit).toBe(false);
  expect(second?.hit).toBe(true);
  expect(second?.content).toBe(first!.content);
});

test("concurrent identical misses in 4 processes make one upstream request", async () => {
  const keyPrefix = newPrefix();
  up.sim.delayMs = 600;
  const before = up.sim.count(CHAT_ROUTE);
  const results = await runCallers(4, keyPrefix, "one answer for four processes", true);
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  expect(results.filter((r) => !r.hit)).toHaveLength(1);
  expect(new Set(results.map((r) => r.content)).size).toBe(1);
});

test("a lock left by a crashed holder blocks no one past its expiry", async () => {
  const keyPrefix = newPrefix();
  const eco = onRedis(keyPrefix);
  const request = ask("the holder crashed");
  const key = hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL: up.sim.openaiBaseURL.replace(/\/+$/, ""), params: request });
  // A process that took the lock and died: nobody releases it, only its expiry frees it.
  const crashed = createRedisStore({ url: redis.server.url, prefix: keyPrefix });
  expect(await crashed.acquireLock!(key, 1000)).toBe(true);
  await crashed.close();
  const before = up.sim.count(CHAT_ROUTE);
  const pending = eco.chat.completions.create(request);
  // While the lock lives, the call waits for the holder's answer instead of going upstream.
  await Bun.sleep(150);
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
  const response = await pending;
  expect(response.choices[0]?.message.content).toBeString();
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  await eco.chat.completions.create(request);
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
});

test("prod mode: entries expire after the TTL and are fetched again", async () => {
  const eco = onRedis(newPrefix(), { mode: "prod", ttl: 0.3 });
  const before = up.sim.count(CHAT_ROUTE);
  await eco.chat.completions.create(ask("expiring answer"));
  await eco.chat.completions.create(ask("expiring answer"));
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  await Bun.sleep(450);
  await eco.chat.completions.create(ask("expiring answer"));
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
});

test("flush by model and by pattern removes and counts only matching entries", async () => {
  const eco = onRedis(newPrefix());
  for (const content of ["refund order 1", "refund order 2", "weather today"]) await eco.chat.completions.create(ask(content));
  await eco.chat.completions.create(ask("refund on mini", { model: "gpt-4o-mini" }));
  expect(await eco.flush({ model: "gpt-4o-mini" })).toBe(1);
  expect(await eco.flush({ pattern: "*REFUND*" })).toBe(2);
  const before = up.sim.count(CHAT_ROUTE);
  await eco.chat.completions.create(ask("weather today"));
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
  await eco.chat.completions.create(ask("refund order 1"));
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  expect(await eco.flush()).toBe(2);
});

test("when the lock holder's call fails, a waiter goes upstream itself and the others share its answer", async () => {
  const keyPrefix = newPrefix();
  const [a, b, c] = [onRedis(keyPrefix), onRedis(keyPrefix), onRedis(keyPrefix)];
  up.sim.delayMs = 300;
  up.sim.failNext(400, { route: CHAT_ROUTE });
  const before = up.sim.count(CHAT_ROUTE);
  const holder = a.chat.completions.create(ask("the first try fails")).then(
    () => "answered",
    (error: { status?: number }) => error.status,
  );
  // The holder has the lock once its request reaches the simulator.
  while (up.sim.count(CHAT_ROUTE) === before) await Bun.sleep(5);
  const waiters = await Promise.all([b, c].map((eco) => eco.chat.completions.create(ask("the first try fails"))));
  expect(await holder).toBe(400);
  expect(waiters[1]).toEqual(waiters[0]!);
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
});

/** The longest a crashed holder may delay an identical miss in another process. */
const DEAD_HOLDER_DELAY_MS = 2_000;

/** The key of `ask(prompt)` as the wrapped OpenAI client on the simulator sends it. */
function chatKey(request: { model: string; messages: { role: "user"; content: string }[] }): string {
  return hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL: up.sim.openaiBaseURL.replace(/\/+$/, ""), params: request });
}

test("a caller waiting on another process's lock gives up at its own timeout or signal with the SDK's error, and leaves the lock alone", async () => {
  const keyPrefix = newPrefix();
  const eco = onRedis(keyPrefix);
  const request = ask("a peer holds the lock");
  // A live peer: it holds the lock and keeps it for longer than this test.
  const peer = createRedisStore({ url: redis.server.url, prefix: keyPrefix });
  try {
    expect(await peer.acquireLock!(chatKey(request), 30_000)).toBe(true);
    const before = up.sim.count(CHAT_ROUTE);
    const timedOut = await eco.chat.completions.create(request, { timeout: 150 }).catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await eco.chat.completions.create(request, { signal: controller.signal }).catch((error: unknown) => error);
    expect(aborted).toBeInstanceOf(OpenAI.APIUserAbortError);
    // Neither went upstream, and the peer still holds its lock.
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
    expect(await peer.renewLock!(chatKey(request), 30_000)).toBe(true);
  } finally {
    await peer.releaseLock!(chatKey(request));
    await peer.close();
  }
});

test("a live holder in another process keeps its lock past its lifetime; killed with SIGKILL, it delays the others 2 s at most", async () => {
  const keyPrefix = newPrefix();
  const prompt = "the holder is killed";
  up.sim.delayMs = 30_000;
  const before = up.sim.count(CHAT_ROUTE);
  const holder = Bun.spawn(
    [process.execPath, CALLER, up.sim.openaiBaseURL, redis.server.url, keyPrefix, join(up.dir, `holder-${keyPrefix}.db`), prompt, "wait"],
    { stdin: "pipe", stdout: "pipe", stderr: "pipe" },
  );
  try {
    expect(await lines(holder.stdout)()).toBe("ready");
    holder.stdin.write("go\n");
    await holder.stdin.flush();
    // The holder has the lock once its request reaches the simulator.
    while (up.sim.count(CHAT_ROUTE) === before) await Bun.sleep(5);
    up.sim.delayMs = 0;
    const eco = onRedis(keyPrefix);
    let answered = false;
    const waiting = eco.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] })
      .finally(() => (answered = true));
    // Well past a dead holder's longest delay, the live holder still holds its lock: the waiter still waits.
    await Bun.sleep(DEAD_HOLDER_DELAY_MS + 1_000);
    expect(answered).toBe(false);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    holder.kill("SIGKILL");
    await holder.exited;
    // Its lock is left with at most one lifetime to live, unrenewed; the waiter then goes upstream itself.
    const raw = new Redis(redis.server.url);
    const remainingMs = await raw.pttl(`${keyPrefix}lock:${chatKey({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] })}`);
    raw.disconnect();
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(DEAD_HOLDER_DELAY_MS);
    const response = await waiting;
    expect(response.choices[0]?.message.content).toContain(prompt);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
    expect((await eco.history({ limit: 1 }))[0]?.cacheHit).toBe(false);
  } finally {
    holder.kill("SIGKILL");
  }
}, 20_000);

test("a miss's holder keeps its lock until its entry is written, after its caller is answered: another instance waiting on it serves the entry", async () => {
  const keyPrefix = newPrefix();
  const holder = onRedis(keyPrefix);
  const request = ask("the lock outlives the answer");
  const entry = `${keyPrefix}entry:${chatKey(request)}`;
  const lock = `${keyPrefix}lock:${chatKey(request)}`;
  const raw = new Redis(redis.server.url);
  // What the server runs, in the order it runs it.
  const monitor = await monitorRedis(redis.server.url);
  const { ran } = monitor;
  try {
    up.sim.delayMs = 100;
    const before = up.sim.count(CHAT_ROUTE);
    const answering = holder.chat.completions.create(request);
    // The holder has the lock once its request reaches the simulator; from then on the server
    // holds every write back (reads go on) until well after the upstream answer.
    while (up.sim.count(CHAT_ROUTE) === before) await Bun.sleep(5);
    await raw.call("CLIENT", "PAUSE", "300", "WRITE");
    const answer = await answering;
    expect(await raw.exists(entry)).toBe(0);
    expect(await raw.exists(lock)).toBe(1);
    const waiting = onRedis(keyPrefix).chat.completions.create(request);
    expect(await waiting).toEqual(answer);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(await raw.exists(entry)).toBe(1);
    // The holder let its lock go only once its entry was written.
    const written = ran.findIndex((args) => args[0]?.toLowerCase() === "hset" && args[1] === entry);
    const released = ran.findIndex((args) => args[0]?.toLowerCase() === "eval" && args.includes(lock) && args[1]!.includes("DEL"));
    expect(written).toBeGreaterThanOrEqual(0);
    expect(released).toBeGreaterThan(written);
  } finally {
    raw.disconnect();
    monitor.stop();
  }
});

for (const end of ["exit", "SIGTERM"] as const) {
  test(`a process that ends right after a miss (${end === "exit" ? "process.exit()" : "SIGTERM"}, no close()) still writes its entry to Redis`, async () => {
    const keyPrefix = newPrefix();
    const prompt = `written as the process ends: ${end}`;
    const child = Bun.spawn([process.execPath, CALLER, up.sim.openaiBaseURL, redis.server.url, keyPrefix, join(up.dir, `ending-${keyPrefix}.db`), prompt, "now", end], { stdout: "pipe", stderr: "pipe" });
    const read = lines(child.stdout);
    expect(await read()).toBe("ready");
    expect(JSON.parse(await read())).toMatchObject({ hit: false });
    await child.exited;
    expect(await new Response(child.stderr).text()).toBe("");
    const raw = new Redis(redis.server.url);
    try {
      expect(await raw.hget(`${keyPrefix}entry:${chatKey({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] })}`, "prompt")).toBe(prompt);
    } finally {
      raw.disconnect();
    }
  });
}
