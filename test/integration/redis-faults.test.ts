import { afterAll, describe, expect, test } from "bun:test";
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

async function server(port?: number, args?: string[]): Promise<RedisServer> {
  const started = await startRedisServer({ port, args });
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

describe("a Redis URL that does not lead to a usable server is reported as what it is, in one line naming the URL with its password masked", () => {
  const PASSWORD = "the-real-s3cret";

  async function threeCalls(url: string): Promise<string[]> {
    const { eco, logger } = onRedis(url);
    const before = up.sim.count(CHAT_ROUTE);
    for (let i = 0; i < 3; i++) expect((await eco.chat.completions.create(ask("asked of the wrong server"))).choices[0]?.message.content).toBeString();
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(3);
    expect(unhandled).toEqual([]);
    return logger.messages;
  }

  test("a wrong password: WRONGPASS", async () => {
    const redis = await server(undefined, ["--requirepass", PASSWORD]);
    const messages = await threeCalls(`redis://:not-the-password@127.0.0.1:${redis.port}`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toStartWith(`[ecoai] cache store redis redis://:***@127.0.0.1:${redis.port} failed: the server refused the user name or password in the URL (WRONGPASS`);
    expect(messages[0]).not.toContain("not-the-password");
    expect(messages[0]).not.toContain("\n");
  });

  test("no password for a server that requires one: NOAUTH", async () => {
    const redis = await server(undefined, ["--requirepass", PASSWORD]);
    const messages = await threeCalls(redis.url);
    expect(messages).toEqual([
      `[ecoai] cache store redis ${redis.url} failed: the server requires a password and the URL gives none (NOAUTH Authentication required): use redis://:password@host:port; calls go straight to the provider until it recovers`,
    ]);
  });

  test("a port where something other than Redis answers (here, an HTTP server)", async () => {
    const port = new URL(up.sim.openaiBaseURL).port;
    const messages = await threeCalls(`redis://:${PASSWORD}@127.0.0.1:${port}/0`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toStartWith(`[ecoai] cache store redis redis://:***@127.0.0.1:${port}/0 failed: not a Redis server: what answers there does not speak the Redis protocol`);
    expect(messages[0]).not.toContain(PASSWORD);
  });

  test("the right password works", async () => {
    const redis = await server(undefined, ["--requirepass", PASSWORD]);
    const { eco, logger } = onRedis(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`);
    await eco.chat.completions.create(ask("asked with the right password"));
    expect(await untilHit(() => eco.chat.completions.create(ask("asked with the right password")))).toBe(true);
    expect(logger.messages).toEqual([]);
  });
});
