// One Node process's turn with the usage write thread, through the built package (dist/): records
// rows until batches were written while this thread was blocked (so by the write thread), closes
// the log and prints what happened as JSON, then ends on its own, with nothing left to keep it alive.
// argv: logPath
import { createUsageLog } from "../../dist/src/usage/log.js";
import { openDatabase } from "../../dist/src/sqlite/database.js";

const [path] = process.argv.slice(2);
const warnings = [];
const log = createUsageLog({ path, logger: { warn: (message) => void warnings.push(message) }, maxPending: 50, flushIntervalMs: 10 });
const written = () => {
  const db = openDatabase(path);
  try {
    return Number(db.prepare("SELECT count(*) AS n FROM usage_log").get().n);
  } finally {
    db.close();
  }
};
const row = (prompt) => ({
  timestamp: new Date().toISOString(), provider: "openai", model: "gpt-4o", cacheHit: true, semanticHit: false, cacheKey: "k",
  prompt, promptType: "text", usage: { inputTokens: 3, cachedInputTokens: 0, outputTokens: 4 }, latencyMs: 1,
});
const blocker = new Int32Array(new SharedArrayBuffer(4));
let recorded = 0;
let offThread = 0;
for (let attempt = 0; attempt < 40 && offThread < 2; attempt++) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const before = written();
  // Held as another process would: the background write waits for it (or fails on it, on this thread).
  const holder = openDatabase(path);
  holder.exec("BEGIN IMMEDIATE");
  for (let i = 0; i < 50; i++) log.record(row(`attempt ${attempt} row ${recorded++}`));
  await new Promise((resolve) => setImmediate(resolve));
  holder.exec("COMMIT");
  holder.close();
  const until = Date.now() + 500;
  while (written() === before && Date.now() < until) Atomics.wait(blocker, 0, 0, 5);
  if (written() > before) offThread++;
}
const left = log.close();
const db = openDatabase(path);
const driver = db.driver;
db.close();
process.stdout.write(`${JSON.stringify({ driver, offThread, left, recorded, rows: written(), warnings })}\n`);
