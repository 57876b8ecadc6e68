/**
 * What the usage log costs the main thread a row, as a server of cache hits pays it: a loop
 * records one row a call and lets the event loop turn every 64 calls, after 0.6 ms of other
 * work (64 concurrent callers' hits), so the log's background writes run as they would between
 * calls. Measured in the same run: the same loop without the log. The main thread's CPU time is
 * read from /proc (Linux), so work on other threads (the usage write thread) is left out; the
 * whole process's CPU time is printed beside it.
 *
 * Run: `bun bench/usage-log-cpu.ts`. Prints; asserts nothing.
 *
 * @module
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUsageLog } from "../src/usage/log.ts";
import type { NewUsageRecord } from "../src/usage/row.ts";
import { formatMicros, formatRatio, median, table } from "./stats.ts";

const ROWS = 200_000;
const ROUNDS = 3;
const CALLERS = 64;
const TURN_WORK_MS = 0.6;
/** Clock ticks a second in /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time of the main thread in ms; undefined where /proc has no per-thread times. */
function mainThreadCpuMs(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const record = (i: number): NewUsageRecord => ({
  timestamp: Date.now(),
  provider: "openai",
  model: "gpt-4o-mini",
  cacheHit: true,
  semanticHit: false,
  cacheKey: "3f6c2a9e0b1d4c7e8a5f2b6d9c0e1a4b",
  namespace: "",
  prompt: `Question ${i % 100}: where is my parcel?`,
  promptType: "text",
  usage: { inputTokens: 30, cachedInputTokens: 0, outputTokens: 40 },
  latencyMs: 0.012,
  endpoint: "chat.completions",
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** µs of main-thread and process CPU a call, over `rows` calls, each given to `sink`. */
async function perCall(rows: number, sink: (row: NewUsageRecord) => void): Promise<{ main: number | undefined; all: number }> {
  const main = mainThreadCpuMs();
  const all = processCpuMs();
  for (let i = 0; i < rows; i++) {
    sink(record(i));
    if (i % CALLERS !== CALLERS - 1) continue;
    const started = performance.now();
    while (performance.now() - started < TURN_WORK_MS);
    await turn();
  }
  const mainAfter = mainThreadCpuMs();
  return { main: main === undefined || mainAfter === undefined ? undefined : ((mainAfter - main) * 1000) / rows, all: ((processCpuMs() - all) * 1000) / rows };
}

const path = join(tmpdir(), `ecoai-bench-usage-log-cpu-${process.pid}.db`);
const log = createUsageLog({ path, logger: { warn: (message) => console.warn(message) } });
const samples = { bare: { main: [] as number[], all: [] as number[] }, log: { main: [] as number[], all: [] as number[] } };
// Warm-up: the write thread starts and every path is compiled.
await perCall(ROWS / 4, (row) => log.record(row));
await perCall(ROWS / 4, () => {});
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, sink] of [["bare", () => {}], ["log", (row: NewUsageRecord) => log.record(row)]] as const) {
    const { main, all } = await perCall(ROWS, sink);
    if (main !== undefined) samples[name].main.push(main);
    samples[name].all.push(all);
  }
}
const left = log.close();
for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });

const hasMain = samples.log.main.length > 0;
const row = (label: string, of: (s: { main: number[]; all: number[] }) => number[]) => {
  const bare = median(of(samples.bare));
  const withLog = median(of(samples.log));
  return [label, formatMicros(bare), formatMicros(withLog), formatMicros(withLog - bare), formatRatio(withLog / bare)];
};
console.log(`Usage log, CPU a call: ${ROWS.toLocaleString("en")} calls a round, median of ${ROUNDS} rounds; a turn of the event loop every ${CALLERS} calls after ${TURN_WORK_MS} ms of other work; ${left} rows left unwritten at close`);
console.log(table(["", "loop alone", "loop + usage log", "the log", "ratio"], [...(hasMain ? [row("main thread", (s) => s.main)] : []), row("all threads", (s) => s.all)]));
if (!hasMain) console.log("(no per-thread CPU times here: /proc/self/task is Linux's)");
