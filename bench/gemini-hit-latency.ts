/**
 * Hit latency of ecoai through both real Gemini SDKs, against baselines measured in the same run:
 * the same SDK calling the local simulator directly (0 ms upstream delay, so the floor of any
 * network call), and the floor of a hit itself (JSON.parse of the stored body + rebuilding the
 * SDK's response object).
 *
 * Run: `bun bench/gemini-hit-latency.ts`. Prints; asserts nothing.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenerateContentResponse, GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import { EcoAI, type SupportedClient } from "../src/index.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { formatMicros, formatRatio, summarize, table, toMicros } from "./stats.ts";

const DISTINCT = 32;
const ROUNDS = 2_000;
const WARMUP = 300;
const PROMPT = (i: number) => `Question ${i}: summarise the returns policy of a bookshop in three sentences, with the refund delay.`;

async function time(run: (i: number) => Promise<unknown> | unknown, rounds = ROUNDS): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await run(i % DISTINCT);
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run(i % DISTINCT);
    samples.push(toMicros(performance.now() - start));
  }
  return samples;
}

const dir = mkdtempSync(join(tmpdir(), "ecoai-gemini-bench-"));
const sim = await startSimulator();
const settingsPath = join(dir, "settings.json");
try {
  console.log(`ecoai Gemini hit latency — Bun ${Bun.version}, ${process.platform}/${process.arch}\n`);
  const genai = new GoogleGenAI({ apiKey: "bench", httpOptions: { baseUrl: sim.geminiBaseURL } });
  const model = new GoogleGenerativeAI("bench").getGenerativeModel({ model: "gemini-1.5-flash" }, { baseUrl: sim.geminiBaseURL });
  const request = (i: number) => ({ model: "gemini-2.5-flash", contents: PROMPT(i) });
  const stored = JSON.stringify(await genai.models.generateContent(request(0)));

  const wrap = <C extends SupportedClient>(client: C, storage: "memory" | "sqlite", name: string) =>
    new EcoAI({ client, storage, sqlitePath: join(dir, `${name}.db`), logPath: join(dir, `${name}-usage.db`), settingsPath, logUsage: storage === "sqlite" });
  const ecoGenaiMemory = wrap(genai, "memory", "gm");
  const ecoGenaiSqlite = wrap(genai, "sqlite", "gs");
  const ecoOldMemory = wrap(model, "memory", "om");
  const ecoOldSqlite = wrap(model, "sqlite", "os");

  // Each group: the direct call first (its p50 is the group's baseline), then what replaces it.
  const groups: [string, number[]][][] = [
    [
      ["@google/genai direct → simulator", await time((i) => genai.models.generateContent(request(i)), 300)],
      ["  hit floor: parse + new GenerateContentResponse", await time(() => Object.assign(new GenerateContentResponse(), JSON.parse(stored)))],
      ["  ecoai hit, memory store", await time((i) => ecoGenaiMemory.models.generateContent(request(i)))],
      ["  ecoai hit, SQLite + usage log", await time((i) => ecoGenaiSqlite.models.generateContent(request(i)))],
    ],
    [
      ["@google/generative-ai direct → simulator", await time((i) => model.generateContent(PROMPT(i)), 300)],
      ["  ecoai hit, memory store", await time((i) => ecoOldMemory.generateContent(PROMPT(i)))],
      ["  ecoai hit, SQLite + usage log", await time((i) => ecoOldSqlite.generateContent(PROMPT(i)))],
    ],
  ];
  const rows = groups.flatMap((group) => {
    const base = summarize(group[0]![1]).p50;
    return group.map(([name, samples]) => {
      const stats = summarize(samples);
      return [name, formatMicros(stats.p50), formatMicros(stats.p95), formatMicros(stats.p99), formatRatio(base / stats.p50)];
    });
  });
  console.log(table(["", "p50", "p95", "p99", "direct p50 / p50"], rows));
  console.log(`\nupstream requests: ${sim.count("gemini.generateContent")} (direct calls + ${DISTINCT} × 4 first misses)`);
  await Promise.all([ecoGenaiMemory, ecoGenaiSqlite, ecoOldMemory, ecoOldSqlite].map((eco) => eco.close()));
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
