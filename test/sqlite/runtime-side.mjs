// One runtime's turn on a shared cache and usage log, through the built package (dist/).
// Usage: <runtime> runtime-side.mjs <openaiBaseURL> <data dir> <question>...
// Prints the SQLite driver in use and, per question, whether it was a cache hit and whether a
// semantic one. With ECOAI_TEST_SEMANTIC=1 semantic matching is on, with the lexical embedder.
import { join } from "node:path";
import OpenAI from "openai";
import { EcoAI } from "../../dist/src/index.js";
import { openDatabase } from "../../dist/src/sqlite/database.js";

const [baseURL, dir, ...questions] = process.argv.slice(2);
const logPath = join(dir, "usage.db");
const eco = new EcoAI({
  client: new OpenAI({ baseURL, apiKey: "sk-test-runtime" }),
  sqlitePath: join(dir, "cache.db"),
  logPath,
  settingsPath: join(dir, "settings.json"),
  ...(process.env.ECOAI_TEST_SEMANTIC === "1" ? { semantic: { embedder: "lexical", threshold: 0.9 } } : {}),
});
const hits = [];
const semanticHits = [];
for (const question of questions) {
  await eco.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: question }] });
  const [record] = await eco.history({ limit: 1 });
  hits.push(record.cacheHit);
  semanticHits.push(record.semanticHit);
}
const summary = await eco.summary();
await eco.close();

const db = openDatabase(logPath);
const driver = db.driver;
db.close();
console.log(JSON.stringify(process.env.ECOAI_TEST_SEMANTIC === "1" ? { driver, hits, semanticHits } : { driver, hits, totalCalls: summary.totalCalls }));
