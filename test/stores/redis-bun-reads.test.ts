import { expect, test } from "bun:test";
import { join } from "node:path";
import Redis from "ioredis";
import type { Store } from "../../src/stores/store.ts";
import { monitorRedis } from "../redis-monitor.ts";
import { useRedisStores } from "./redis-stores.ts";
import { makeEntry } from "./suite.ts";
import { tracedCommands } from "./redis-tracing.ts";

// Under Bun, a Redis store reads cache hits on a second connection, Bun's own RedisClient, and
// does everything else (writes included) on ioredis's.

const stores = useRedisStores("bun-reads");
const { redis } = stores;
const store = (url = redis.server.url, commandTimeoutMs?: number) => stores.store({ url, commandTimeoutMs });
const probe = (url?: string) => stores.client(url);

/** The server's connections other than `self`: id and last command of each (CLIENT LIST). */
async function connections(self: Redis): Promise<{ id: string; cmd: string }[]> {
  const selfId = String(await self.client("ID"));
  const list = String(await self.client("LIST"));
  return list
    .trim()
    .split("\n")
    .map((line) => ({ id: /\bid=(\d+)/.exec(line)![1]!, cmd: /\bcmd=(\S+)/.exec(line)![1]! }))
    .filter((connection) => connection.id !== selfId);
}

/**
 * Writes an entry (its connection's last command: EXEC) and reads `key` until the read's
 * connection is another one (its last command: HMGET); that connection's id, or undefined if
 * none shows within two seconds.
 */
async function readConnection(s: Store, key: string, watcher: Redis): Promise<string | undefined> {
  for (let attempt = 0; attempt < 40; attempt++) {
    await s.set(makeEntry({ key: "written-before-the-read" }));
    await s.get(key).catch(() => undefined);
    const seen = await connections(watcher);
    const reader = seen.find((connection) => connection.cmd === "hmget");
    if (reader && seen.some((connection) => connection.cmd === "exec")) return reader.id;
    await Bun.sleep(50);
  }
  return undefined;
}

test("redis store under Bun: cache reads go out on a connection of their own, beside the one that writes", async () => {
  await stores.onOwnServer(async (server) => {
    const s = store(server.url);
    await s.set(makeEntry({ key: "read-here", body: '{"answer":"here"}' }));
    const watcher = probe(server.url);
    expect(await readConnection(s, "read-here", watcher)).toBeString();
    expect((await s.get("read-here"))?.body).toBe('{"answer":"here"}');
    expect(await s.get("never-written")).toBeUndefined();
    // Two connections for the store: its writes' and its reads'.
    expect(await connections(watcher)).toHaveLength(2);
  });
});

test("redis store under Bun: reads in flight together go through ioredis, which sends them in one write; a lone read through Bun's connection", async () => {
  await stores.onOwnServer(async (server) => {
    const s = store(server.url);
    await s.set(makeEntry({ key: "read-together", body: '{"answer":"together"}' }));
    const watcher = probe(server.url);
    const reader = await readConnection(s, "read-together", watcher);
    expect(reader).toBeString();
    // The writes' connection last ran the write; 32 reads at once land on both connections.
    const bodies = await Promise.all(Array.from({ length: 32 }, () => s.get("read-together")));
    expect(bodies.map((entry) => entry?.body)).toEqual(Array.from({ length: 32 }, () => '{"answer":"together"}'));
    expect((await connections(watcher)).map((connection) => connection.cmd)).toEqual(["hmget", "hmget"]);
    // Alone, a read goes out on Bun's connection again.
    await s.set(makeEntry({ key: "written-after" }));
    await s.get("read-together");
    const last = await connections(watcher);
    expect(last.find((connection) => connection.id === reader)?.cmd).toBe("hmget");
    expect(last.find((connection) => connection.id !== reader)?.cmd).toBe("exec");
  });
});

test("redis store under Bun: a semantic entry's vector reads back byte for byte, text fields included", async () => {
  const s = store();
  const watcher = probe();
  expect(await readConnection(s, "written-before-the-read", watcher)).toBeString();
  // Bytes that are not UTF-8 (0x80–0xff alone, lone surrogates' encodings): a text decode would change them.
  const bytes = new Uint8Array(64 * 4);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 0x80) & 0xff;
  const vector = new Float32Array(bytes.buffer);
  const entry = makeEntry({ key: "semantic", prompt: "ünïcødé ✓", semantic: { scope: "scope-a", vector }, evidence: '{"v":1}' });
  await s.set(entry);
  const { semantic: readSemantic, ...readRest } = (await s.get("semantic"))!;
  const { semantic: _, ...plain } = entry;
  // Compared as bytes: some of these floats are NaNs, which compare unequal as numbers.
  expect(readRest).toEqual(plain);
  expect(readSemantic?.scope).toBe("scope-a");
  expect(Buffer.from(readSemantic!.vector.buffer, readSemantic!.vector.byteOffset, readSemantic!.vector.byteLength).equals(Buffer.from(bytes))).toBe(true);
  // Rewritten without one: read as text, with no vector left.
  await s.set(plain);
  expect(await s.get("semantic")).toEqual(plain);
});

test("redis store under Bun: the read connection logs in with the URL's password and reads the URL's database", async () => {
  const password = "s3cr@t/:x";
  await stores.onOwnServer(async (server) => {
    const url = `redis://:${encodeURIComponent(password)}@127.0.0.1:${server.port}/3`;
    const s = store(url);
    await s.set(makeEntry({ key: "in-db-3", body: '{"db":3}' }));
    const watcher = probe(url);
    expect(await readConnection(s, "in-db-3", watcher)).toBeString();
    expect((await s.get("in-db-3"))?.body).toBe('{"db":3}');
    expect(await watcher.dbsize()).toBe(2);
  }, { args: ["--requirepass", password] });
});

test("redis store under Bun: a read in flight when its connection is dropped is answered through the other one, and reads return to a connection of their own", async () => {
  const s = store();
  // Long enough that the server is still sending it when the connection is killed.
  const body = JSON.stringify({ answer: "x".repeat(24 * 1024 * 1024) });
  await s.set(makeEntry({ key: "long", body }));
  await s.set(makeEntry({ key: "short", body: '{"answer":"short"}' }));
  const watcher = probe();
  const reader = await readConnection(s, "short", watcher);
  expect(reader).toBeString();

  const monitor = await monitorRedis(redis.server.url);
  try {
    const read = s.get("long");
    await watcher.client("KILL", "ID", reader!);
    const entry = await read;
    expect(entry?.body.length).toBe(body.length);
    expect(entry?.body === body).toBe(true);
  } finally {
    monitor.stop();
  }

  await s.set(makeEntry({ key: "short", body: '{"answer":"again"}' }));
  const reopened = await readConnection(s, "short", watcher);
  expect(reopened).toBeString();
  expect(reopened).not.toBe(reader);
  expect((await s.get("short"))?.body).toBe('{"answer":"again"}');
});

test("redis store under Bun: a server killed mid-run fails reads at once, and reads return to their own connection after a restart", async () => {
  await stores.onOwnServer(async (server) => {
    const s = store(server.url);
    const watcher = probe(server.url);
    await s.set(makeEntry({ key: "before", body: '{"answer":"before"}' }));
    expect(await readConnection(s, "before", watcher)).toBeString();
    watcher.disconnect();

    await server.kill();
    for (let i = 0; i < 5; i++) {
      const failure = await s.get("before").then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
    }

    await server.restart();
    const again = probe(server.url);
    let written = false;
    for (let attempt = 0; attempt < 40 && !written; attempt++) {
      written = await s.set(makeEntry({ key: "after", body: '{"answer":"after"}' })).then(
        () => true,
        () => false,
      );
      if (!written) await Bun.sleep(100);
    }
    expect(written).toBe(true);
    expect(await readConnection(s, "after", again)).toBeString();
    expect((await s.get("after"))?.body).toBe('{"answer":"after"}');
  });
});

test("redis store under Bun: a read the server leaves unanswered fails as a command timeout, and reads are answered once it answers again", async () => {
  await stores.onOwnServer(async (server) => {
    const s = store(server.url, 200);
    const watcher = probe(server.url);
    await s.set(makeEntry({ key: "frozen", body: '{"answer":"frozen"}' }));
    expect(await readConnection(s, "frozen", watcher)).toBeString();
    server.pause();
    let failure: unknown;
    try {
      // Several at once: one timer fails them all.
      const reads = await Promise.allSettled([s.get("frozen"), s.get("frozen"), s.get("other")]);
      failure = reads.map((read) => (read.status === "rejected" ? String(read.reason) : "answered"));
    } finally {
      server.resume();
    }
    expect(failure).toEqual(Array(3).fill("Error: the server did not answer in time (command timed out)"));
    let entry;
    for (let attempt = 0; attempt < 40 && entry === undefined; attempt++) {
      entry = await s.get("frozen").catch(() => undefined);
      if (entry === undefined) await Bun.sleep(100);
    }
    expect(entry?.body).toBe('{"answer":"frozen"}');
    expect(await readConnection(s, "frozen", watcher)).toBeString();
  });
});

test("redis store under Bun: a process that closes its store after reads on both connections exits by itself", async () => {
  const source = join(import.meta.dir, "../../src/stores/redis.ts");
  const script = `
    import { createRedisStore } from ${JSON.stringify(source)};
    const s = createRedisStore({ url: ${JSON.stringify(redis.server.url)}, prefix: "exits:" });
    await s.set({ key: "k", body: "{}", createdAt: 1, provider: "openai", endpoint: "e", model: "m", namespace: "", prompt: "p", promptType: "text", usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1 } });
    let hits = 0;
    for (let i = 0; i < 40; i++) { if ((await s.get("k"))?.body === "{}") hits++; await Bun.sleep(10); }
    await s.close();
    console.log("hits", hits);
  `;
  const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  const exited = await Promise.race([child.exited, Bun.sleep(15_000).then(() => "still running")]);
  if (exited === "still running") child.kill("SIGKILL");
  expect(exited).toBe(0);
  expect(await new Response(child.stdout).text()).toBe("hits 40\n");
});

test("redis store under Bun: once a subscriber listens on ioredis's command channel, reads go through ioredis and are traced", async () => {
  const s = store();
  const watcher = probe();
  await s.set(makeEntry({ key: "traced" }));
  expect(await readConnection(s, "traced", watcher)).toBeString();
  const commands = await tracedCommands(async () => {
    expect((await s.get("traced"))?.key).toBe("traced");
  });
  expect(commands).toEqual(["hmget"]);
});
