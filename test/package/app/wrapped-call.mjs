// Runs inside a test app that installed the packed ecoai with npm: one wrapped OpenAI call, made twice.
// Usage: <runtime> wrapped-call.mjs <openaiBaseURL> <data dir> <question>
import { createRequire } from "node:module";
import { join } from "node:path";
import OpenAI from "openai";
import { EcoAI } from "ecoai";

const [baseURL, dir, question] = process.argv.slice(2);
const eco = new EcoAI({
  client: new OpenAI({ baseURL, apiKey: "sk-test-package" }),
  sqlitePath: join(dir, "cache.db"),
  logPath: join(dir, "usage.db"),
  settingsPath: join(dir, "settings.json"),
});
const ask = () => eco.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: question }] });
const first = await ask();
const second = await ask();
const history = await eco.history({ limit: 10 });
await eco.close();

console.log(
  JSON.stringify({
    entry: import.meta.resolve("ecoai"),
    sameAnswer: first.choices[0].message.content === second.choices[0].message.content,
    hits: history.map((record) => record.cacheHit).reverse(),
    betterSqlite: Object.keys(createRequire(import.meta.url).cache).some((id) => id.includes("better-sqlite3")),
  }),
);
