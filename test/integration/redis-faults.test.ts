import { afterAll, expect, test } from "bun:test";
import { ask, CHAT_ROUTE, recordingLogger, useUpstream } from "../harness.ts";
import { freePort, startRedisServer, type RedisServer } from "../redis-server.ts";

const up = useUpstream();
const servers: RedisServer[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await Promise.all(servers.map((server) => server.stop()));
});

async function server(port?: number): Promise<RedisServer> {
  const started = await startRedisServer({ port });
  servers.push(started);
  return started;
}

function onRedis(url: string) {
  const logger = recordingLogger();
  const eco = up.eco({ storage: "redis", redisUrl: url, logger });
  const failures = () => logger.messages.filter((m) => m.includes("failed"));
  const recoveries = () => logger.messages.filter((m) => m.includes("recovered"));
  return { eco, logger, failures, recoveries };
}

/** Repeats a call until it is served from the cache (no upstream request); false if it never is. */
async function untilHit(call: () => Promise<unknown>, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    const before = up.sim.count(CHAT_ROUTE);
    await call();
    if (up.sim.count(CHAT_ROUTE) === before) return true;
    await Bun.sleep(50);
  }
  return false;
}

test("Redis killed mid-run: calls keep succeeding with one warning, and hits return after a restart", async () => {
  const redis = await server();
  const { eco, logger, failures, recoveries } = onRedis(redis.url);
  const cached = await eco.chat.completions.create(ask("asked before the crash"));
  const base = up.sim.count(CHAT_ROUTE);
  expect(await eco.chat.completions.create(ask("asked before the crash"))).toEqual(cached);
  expect(up.sim.count(CHAT_ROUTE)).toBe(base);

  await redis.kill();
  for (let i = 0; i < 5; i++) {
    const response = await eco.chat.completions.create(ask("asked before the crash"));
    expect(response.choices[0]?.message.content).toBe(cached.choices[0]!.message.content);
    await eco.chat.completions.create(ask(`asked during the outage ${i}`));
  }
  expect(up.sim.count(CHAT_ROUTE) - base).toBe(10);
  expect(failures()).toHaveLength(1);
  expect(logger.messages).toHaveLength(1);

  await redis.restart();
  // The restarted server is empty: the first call after reconnecting writes, the next one hits.
  expect(await untilHit(() => eco.chat.completions.create(ask("asked after the restart")))).toBe(true);
  expect((await eco.history({ limit: 1 }))[0]?.cacheHit).toBe(true);
  expect(failures()).toHaveLength(1);
  expect(recoveries()).toHaveLength(1);
  expect(unhandled).toEqual([]);
});

test("Redis unreachable at start: the constructor does not throw, calls go upstream, caching starts when it comes up", async () => {
  const port = await freePort();
  const { eco, failures, recoveries } = onRedis(`redis://127.0.0.1:${port}`);
  const before = up.sim.count(CHAT_ROUTE);
  for (let i = 0; i < 3; i++) await eco.chat.completions.create(ask("asked while Redis is down"));
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(3);
  expect(failures()).toHaveLength(1);

  await server(port);
  expect(await untilHit(() => eco.chat.completions.create(ask("asked while Redis is down")))).toBe(true);
  expect(recoveries()).toHaveLength(1);
  expect(unhandled).toEqual([]);
});

test("a Redis that stops answering costs a command timeout, not the call", async () => {
  const redis = await server();
  const { eco, failures } = onRedis(redis.url);
  const cached = await eco.chat.completions.create(ask("asked of a frozen server"));
  const before = up.sim.count(CHAT_ROUTE);
  redis.pause();
  try {
    const response = await eco.chat.completions.create(ask("asked of a frozen server"));
    expect(response.choices[0]?.message.content).toBe(cached.choices[0]!.message.content);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(failures()).toHaveLength(1);
  } finally {
    redis.resume();
  }
  expect(await untilHit(() => eco.chat.completions.create(ask("asked of a frozen server")))).toBe(true);
  expect(unhandled).toEqual([]);
});
