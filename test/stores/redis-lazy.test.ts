import { expect, test } from "bun:test";
import { join } from "node:path";
import { useRedisServer } from "../redis-server.ts";
import { tempDir } from "../temp.ts";

const redis = useRedisServer();
const dir = tempDir();
const ROOT = join(import.meta.dir, "..", "..");

test("ioredis is loaded only once a Redis store is used", async () => {
  // ioredis is CommonJS, so once loaded its files appear in require.cache.
  const script = `
    import OpenAI from "openai";
    import { EcoAI } from "./src/index.ts";
    const loaded = () => Object.keys(require.cache).some((file) => file.includes("ioredis"));
    const client = new OpenAI({ apiKey: "sk-test", baseURL: "http://127.0.0.1:9/v1" });
    const files = { logPath: ${JSON.stringify(join(dir, "usage.db"))}, settingsPath: ${JSON.stringify(join(dir, "settings.json"))} };
    const sqlite = new EcoAI({ client, sqlitePath: ${JSON.stringify(join(dir, "cache.db"))}, ...files });
    await sqlite.flush();
    const before = loaded();
    const redis = new EcoAI({ client, storage: "redis", redisUrl: process.argv[1], ...files });
    await redis.flush();
    console.log(JSON.stringify({ before, after: loaded() }));
    await sqlite.close();
    await redis.close();
  `;
  const child = Bun.spawn([process.execPath, "-e", script, redis.server.url], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual({ before: false, after: true });
});
