/**
 * What each storage fault costs a running app, measured against a direct SDK call in the same run.
 *
 * For every fault class, an EcoAI instance (SQLite cache and usage log in a temporary folder, or
 * a private `redis-server`) first answers a few prompts so that it has entries; then the fault is
 * done to it and calls alternate between hits (a stored prompt) and misses (a new one), each timed
 * next to a direct call of the same request with the plain SDK (interleaved pair by pair, so load
 * on the machine hits both alike). Then the fault is undone where it can be, the instance closed,
 * and the usage log's rows counted against the calls made. Twice: a small prompt and a 40 KB one.
 *
 * Per class it prints: calls that failed, rows lost, warnings printed, the median ecoai/direct
 * ratio for hits and misses, and the added latency (ecoai − direct, per pair) at p95 and worst.
 * A full disk needs a file system of its own: that class runs in a child process with a tmpfs in
 * a private mount namespace (`unshare`), and is skipped where that is not allowed.
 *
 * Run: `bun bench/faults.ts` (or `npm run bench:faults`). Prints; asserts nothing.
 *
 * @module
 */
import type { Subprocess } from "bun";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { EcoAI } from "../src/index.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { openDatabase } from "../src/sqlite/database.ts";
import { startRedisServer, type RedisServer } from "../test/redis-server.ts";
import { formatRatio, median, percentile, table } from "./stats.ts";

const WARM_PROMPTS = 8;
const PAIRS = 120;
const SIZES = { small: 40, large: 40_000 } as const;
type Size = keyof typeof SIZES;

interface Context {
  dir: string;
  baseURL: string;
  sqlitePath: string;
  logPath: string;
  redis?: RedisServer;
  /** Undoes the fault, where it can be undone. */
  heal?: () => Promise<void> | void;
}

interface FaultClass {
  name: string;
  /** What was done to the system. */
  what: string;
  /** Config of the EcoAI instance (storage, client headers). */
  config?: (ctx: Context) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Done before the instance is made (a fault at start). */
  before?: (ctx: Context) => Promise<void> | void;
  /** Done after the warm-up (a fault while running). */
  inject?: (ctx: Context) => Promise<void> | void;
  /** Client request headers (a provider that sends odd usage). */
  headers?: Record<string, string>;
}

interface Outcome {
  name: string;
  what: string;
  size: Size;
  calls: number;
  failed: number;
  rowsLost: number;
  warnings: string[];
  hitRatio: number;
  missRatio: number;
  addedP95Ms: number;
  addedWorstMs: number;
}

const GARBAGE = "not a SQLite file, only text. ".repeat(300);
const FIXTURES = join(import.meta.dir, "..", "test", "fixtures");

/** Another process holding the write lock on `paths` (BEGIN EXCLUSIVE) until the returned function is called. */
async function holdLock(...paths: string[]): Promise<() => Promise<void>> {
  const child: Subprocess<"pipe", "pipe", "inherit"> = Bun.spawn([process.execPath, join(FIXTURES, "sqlite-locker.ts"), ...paths], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  await child.stdout.getReader().read();
  return async () => {
    child.stdin.write("go\n");
    child.stdin.flush();
    await child.exited;
  };
}

const CLASSES: FaultClass[] = [
  { name: "none", what: "no fault (the reference)" },
  {
    name: "sqlite locked",
    what: "another process holds BEGIN EXCLUSIVE on the cache and the log; released at the end",
    async inject(ctx) {
      ctx.heal = await holdLock(ctx.sqlitePath, ctx.logPath);
    },
  },
  {
    name: "disk full",
    what: "the cache's and log's tmpfs filled by another file; freed at the end",
    inject(ctx) {
      const filler = join(ctx.dir, "filler");
      const fd = openSync(filler, "w");
      try {
        for (const chunk = Buffer.alloc(64 * 1024, 1); ; ) writeSync(fd, chunk);
      } catch {
        // ENOSPC
      }
      closeSync(fd);
      ctx.heal = () => rmSync(filler);
    },
  },
  {
    name: "cache truncated",
    what: "cache file truncated to 0 bytes while running",
    inject: (ctx) => truncateSync(ctx.sqlitePath, 0),
  },
  {
    name: "cache corrupt",
    what: "cache file is garbage at start",
    before: (ctx) => writeFileSync(ctx.sqlitePath, GARBAGE),
  },
  {
    name: "log a folder",
    what: "usage log path is a folder at start; removed at the end",
    before(ctx) {
      mkdirSync(ctx.logPath);
      ctx.heal = () => rmSync(ctx.logPath, { recursive: true });
    },
  },
  {
    name: "log deleted",
    what: "usage log and its -wal/-shm deleted while running",
    inject(ctx) {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(ctx.logPath + suffix, { force: true });
    },
  },
  {
    name: "tokens \"n/a\"",
    what: 'the provider sends usage.prompt_tokens: "n/a"',
    headers: { "x-sim-prompt-tokens": "n/a" },
  },
  {
    name: "redis killed",
    what: "redis-server SIGKILLed while running; restarted at the end",
    config: redisConfig(),
    async inject(ctx) {
      await ctx.redis!.kill();
      ctx.heal = () => ctx.redis!.restart();
    },
  },
  {
    name: "redis frozen",
    what: "redis-server SIGSTOPped (answers nothing); resumed at the end",
    config: redisConfig(),
    inject(ctx) {
      ctx.redis!.pause();
      ctx.heal = () => ctx.redis!.resume();
    },
  },
  {
    name: "redis wrong password",
    what: "server with requirepass, URL with a wrong password",
    config: redisConfig(["--requirepass", "right-password"], ":wrong-password@"),
  },
  {
    name: "redis not redis",
    what: "URL points at an HTTP server",
    config: (ctx) => ({ storage: "redis", redisUrl: `redis://127.0.0.1:${new URL(ctx.baseURL).port}` }),
  },
];

function redisConfig(args: string[] = [], auth = "") {
  return async (ctx: Context) => {
    ctx.redis = await startRedisServer({ args });
    return { storage: "redis", redisUrl: `redis://${auth}127.0.0.1:${ctx.redis.port}`, redisKeyPrefix: `bench-${Math.random().toString(36).slice(2)}:` };
  };
}

function request(seed: string, size: Size) {
  const padding = SIZES[size] > 60 ? ` ${"context ".repeat(Math.ceil((SIZES[size] - 60) / 8))}` : "";
  return { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: `Question ${seed}: when does my order arrive?${padding}` }] };
}

function rowsIn(logPath: string): number {
  try {
    const db = openDatabase(logPath);
    try {
      return Number(db.prepare("SELECT count(*) AS n FROM usage_log").get()!.n);
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

async function measure(fault: FaultClass, size: Size, baseURL: string, dir: string): Promise<Outcome> {
  const ctx: Context = { dir, baseURL, sqlitePath: join(dir, "cache.db"), logPath: join(dir, "usage.db") };
  const warnings: string[] = [];
  const headers = fault.headers ?? {};
  const direct = new OpenAI({ baseURL, apiKey: "sk-bench", maxRetries: 0, defaultHeaders: headers });
  await fault.before?.(ctx);
  const extra = (await fault.config?.(ctx)) ?? {};
  const eco = new EcoAI({
    client: new OpenAI({ baseURL, apiKey: "sk-bench", maxRetries: 0, defaultHeaders: headers }),
    sqlitePath: ctx.sqlitePath,
    logPath: ctx.logPath,
    settingsPath: join(dir, "settings.json"),
    logger: { warn: (message) => void warnings.push(message) },
    ...extra,
  });
  let calls = 0;
  let failed = 0;
  const call = async (params: ReturnType<typeof request>) => {
    calls++;
    try {
      await eco.chat.completions.create(params);
    } catch {
      failed++;
    }
  };
  for (let i = 0; i < WARM_PROMPTS; i++) await call(request(`warm ${i}`, size));
  await fault.inject?.(ctx);

  const ratios = { hit: [] as number[], miss: [] as number[] };
  const added: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const hit = i % 2 === 0;
    const params = request(hit ? `warm ${i % WARM_PROMPTS}` : `new ${i}`, size);
    const timeDirect = async () => {
      const start = performance.now();
      await direct.chat.completions.create(params);
      return performance.now() - start;
    };
    const timeEco = async () => {
      const start = performance.now();
      await call(params);
      return performance.now() - start;
    };
    const [d, e] = i % 4 < 2 ? [await timeDirect(), await timeEco()] : [await timeEco(), await timeDirect()].reverse() as [number, number];
    (hit ? ratios.hit : ratios.miss).push(e / d);
    added.push(e - d);
    // Time for the usage log's timed writes, as between a server's requests.
    if (i % 10 === 9) await Bun.sleep(30);
  }

  await ctx.heal?.();
  for (let i = 0; i < 4; i++) await call(request(`after ${i}`, size));
  await eco.close();
  await ctx.redis?.stop();
  const sorted = [...added].sort((a, b) => a - b);
  return {
    name: fault.name,
    what: fault.what,
    size,
    calls,
    failed,
    rowsLost: Math.max(0, calls - rowsIn(ctx.logPath)),
    warnings,
    hitRatio: median(ratios.hit),
    missRatio: median(ratios.miss),
    addedP95Ms: percentile(sorted, 95),
    addedWorstMs: sorted.at(-1) ?? Number.NaN,
  };
}

/** Runs the full-disk class in a child with a 4 MB tmpfs of its own; undefined where mounts are not allowed. */
async function measureOnSmallDisk(size: Size, baseURL: string): Promise<Outcome | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-disk-"));
  try {
    const script = 'mount -t tmpfs -o size=4m tmpfs "$0" && exec "$@"';
    const child = Bun.spawn(["unshare", "-rm", "sh", "-c", script, dir, process.execPath, import.meta.path, "--disk-full", size, baseURL, dir], { stdout: "pipe", stderr: "pipe" });
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    if (code !== 0) return undefined;
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as Outcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : "n/a");

if (process.argv[2] === "--disk-full") {
  const [, , , size, baseURL, dir] = process.argv as [string, string, string, Size, string, string];
  const outcome = await measure(CLASSES.find((fault) => fault.name === "disk full")!, size, baseURL, dir);
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exit(0);
}

const sim = await startSimulator();
console.log(`ecoai under storage faults — Bun ${Bun.version}, ${process.platform}/${process.arch}; ${PAIRS} calls per class and size (half hits, half misses), each paired with a direct SDK call\n`);
const outcomes: Outcome[] = [];
for (const fault of CLASSES) {
  for (const size of Object.keys(SIZES) as Size[]) {
    if (fault.name === "disk full") {
      const outcome = await measureOnSmallDisk(size, sim.openaiBaseURL);
      if (outcome) outcomes.push(outcome);
      else console.log(`disk full (${size}): skipped, no tmpfs mount allowed here (needs unshare with user namespaces)`);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-faults-"));
    try {
      outcomes.push(await measure(fault, size, sim.openaiBaseURL, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
await sim.close();

console.log(
  table(
    ["fault", "body", "calls", "failed", "rows lost", "warnings", "hit ecoai/direct", "miss ecoai/direct", "added p95", "added worst"],
    outcomes.map((o) => [o.name, o.size, String(o.calls), String(o.failed), String(o.rowsLost), String(o.warnings.length), formatRatio(o.hitRatio), formatRatio(o.missRatio), ms(o.addedP95Ms), ms(o.addedWorstMs)]),
  ),
);
console.log("\nWhat was done, and the warnings printed (small body):");
for (const o of outcomes.filter((outcome) => outcome.size === "small")) {
  console.log(`\n${o.name}: ${o.what}`);
  for (const warning of o.warnings) console.log(`  ${warning}`);
}
