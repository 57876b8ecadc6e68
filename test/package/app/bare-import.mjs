// Runs inside a test app that installed only the packed ecoai (no SDK, no better-sqlite3).
// Usage: <runtime> bare-import.mjs <data dir>
import { join } from "node:path";
import * as ecoai from "ecoai";

const [dir] = process.argv.slice(2);
// Shaped like an OpenAI client (detection is by shape); never called.
const client = { baseURL: "http://127.0.0.1:9/v1", chat: { completions: { create: async () => ({}) } } };
const paths = { sqlitePath: join(dir, "cache.db"), logPath: join(dir, "usage.db"), settingsPath: join(dir, "settings.json") };

const memory = new ecoai.EcoAI({ client, ...paths, storage: "memory", logUsage: false });
await memory.close();

let sqlite = "opened";
try {
  await new ecoai.EcoAI({ client, ...paths }).close();
} catch (error) {
  sqlite = { name: error.name, code: error.code, message: error.message };
}
console.log(JSON.stringify({ exports: Object.keys(ecoai).sort(), sqlite }));
