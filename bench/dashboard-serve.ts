/**
 * What serving the dashboard over HTTP costs on top of answering in-process: the `ecoai dashboard`
 * command under Bun and under Node (bundled), asked over keep-alive HTTP, against `app.handle`
 * called directly in this process, measured in the same run on the same log, for a small answer
 * (`/api/summary`, ~120 bytes) and a large one (`/vendor/chart.js`, ~200 KB). Every request passes
 * the Host check; the "token" rows also carry an access token (a dashboard bound to 0.0.0.0).
 *
 * Run: `bun bench/dashboard-serve.ts [requests]` (or `npm run bench:dashboard-serve`). Prints;
 * asserts nothing.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDashboardApp } from "../src/dashboard/app.ts";
import { openDatabase } from "../src/sqlite/database.ts";
import { toRow } from "../src/usage/row.ts";
import { ensureUsageSchema, USAGE_INSERT } from "../src/usage/schema.ts";
import { formatMicros, formatRatio, summarize, table, toMicros } from "./stats.ts";

const REQUESTS = Number(process.argv[2] ?? 400);
const ROOT = join(import.meta.dir, "..");
const PATHS = { small: "/api/summary", large: "/vendor/chart.js" } as const;

const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-serve-"));
const dbPath = join(dir, "usage.db");
const children: ReturnType<typeof Bun.spawn>[] = [];

function seed(): void {
  const db = openDatabase(dbPath);
  ensureUsageSchema(db);
  const insert = db.prepare(USAGE_INSERT);
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) {
      const usage = { inputTokens: 10, cachedInputTokens: 0, outputTokens: 20 };
      insert.run(...toRow({ timestamp: new Date().toISOString(), provider: "openai", model: "gpt-4o", cacheHit: i % 2 === 1, semanticHit: false, cacheKey: null, prompt: `prompt ${i % 100}`, promptType: "text", usage, latencyMs: 1 }));
    }
  });
  db.close();
}

async function nodeCli(): Promise<string> {
  const out = join(ROOT, "test-artifacts", "bench-cli-node");
  mkdirSync(out, { recursive: true });
  const build = await Bun.build({ entrypoints: [join(ROOT, "src", "cli", "index.ts")], outdir: out, target: "node", format: "esm", external: ["better-sqlite3"] });
  if (!build.success) throw new AggregateError(build.logs, "bundling the command for Node failed");
  return build.outputs[0]!.path;
}

/** Starts `ecoai dashboard` and returns the address it prints. */
async function start(command: string[], extra: string[]): Promise<string> {
  const child = Bun.spawn([...command, "dashboard", "--db", dbPath, "--port", "0", "--no-browser", ...extra], { cwd: dir, stdout: "pipe", stderr: "inherit" });
  children.push(child);
  const reader = child.stdout.getReader();
  let printed = "";
  while (!printed.includes("Press Ctrl+C")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`ecoai dashboard exited: ${printed}`);
    printed += new TextDecoder().decode(value);
  }
  return /ecoai dashboard: (http:\/\/\S+)/.exec(printed)![1]!;
}

/** Milliseconds per request, `REQUESTS` of them one after another, after a warm-up. */
async function measure(ask: () => Promise<Response>): Promise<number[]> {
  for (let i = 0; i < 50; i++) await (await ask()).arrayBuffer();
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const response = await ask();
    await response.arrayBuffer();
    samples.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`status ${response.status}`);
  }
  return samples;
}

try {
  seed();
  const app = await createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json") });
  const node = ["node", await nodeCli()];
  const bun = [process.execPath, join(ROOT, "src", "cli", "index.ts")];
  const servers: [string, string][] = [
    ["Bun", await start(bun, [])],
    ["Bun, token", await start(bun, ["--host", "0.0.0.0"])],
    ["Node", await start(node, [])],
    ["Node, token", await start(node, ["--host", "0.0.0.0"])],
  ];
  const rows: string[][] = [];
  for (const [size, path] of Object.entries(PATHS)) {
    const baseline = summarize(await measure(() => app.handle(new Request(`http://127.0.0.1:7315${path}`)))).p50;
    rows.push([`in-process app.handle, ${size}`, formatMicros(toMicros(baseline)), "1.0×"]);
    for (const [name, address] of servers) {
      const url = new URL(address);
      const token = url.searchParams.get("token");
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const p50 = summarize(await measure(() => fetch(`${url.origin}${path}`, { headers }))).p50;
      rows.push([`served, ${name}, ${size}`, formatMicros(toMicros(p50)), formatRatio(p50 / baseline)]);
    }
  }
  app.close();
  console.log(`Dashboard over HTTP, p50 of ${REQUESTS} sequential keep-alive requests (small: ${PATHS.small}, large: ${PATHS.large})\n`);
  console.log(table(["", "p50", "vs in-process"], rows));
} finally {
  for (const child of children) child.kill("SIGINT");
  await Promise.all(children.map((child) => child.exited));
  rmSync(dir, { recursive: true, force: true });
}
