import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createLexicalEmbedder } from "../cache/lexical-embedder.ts";
import { defaultDbPath } from "../dashboard/paths.ts";
import type { EcoAIConfig } from "../config.ts";
import { EcoAI } from "../eco.ts";
import type { UsageRecord } from "../types.ts";
import { detectInvocation } from "./invocation.ts";
import { CliError, CliUsageError, parsePort } from "./options.ts";

export const DEMO_HELP = `Usage: ecoai demo [options]

Plays a short, realistic session through a real OpenAI client wrapped in EcoAI: repeated
prompts, a changed parameter, a flush, a prod-mode expiry and a semantic match. Prints one
row per call and a summary, then the command that opens the dashboard over its usage log.

Offline by default: the client talks to ecoai's local OpenAI simulator. The demo's cache,
usage log and settings go to a new temporary folder (printed), never into your project's
.ecoai/ unless you pass --dir .ecoai.

Options:
  --dir PATH         Folder for the demo's cache.db, usage.db and settings.json (default: a new temporary folder)
  --open             Then serve the dashboard over the demo's usage log (Ctrl+C stops it)
  --port N           The dashboard's port with --open (default: $ECOAI_DASHBOARD_PORT or 7315)
  --live             Talk to the real OpenAI API (needs OPENAI_API_KEY; costs a few cents at most)
  -h, --help         Show this help`;

type Call = { label: string; model: string; content: string; temperature?: number };

const QUESTION = "Explain in two sentences what a vector database is and when to use one.";

export async function runDemo(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: "string" },
      open: { type: "boolean" },
      port: { type: "string" },
      live: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  if (values.port !== undefined && !values.open) throw new CliUsageError("--port is the dashboard's, and goes with --open");
  if (values.port !== undefined) parsePort(values.port, "--port");
  if (values.dir !== undefined && values.dir.trim() === "") throw new CliUsageError("--dir must not be empty");
  if (values.live && !process.env.OPENAI_API_KEY) {
    console.error("ecoai demo --live needs OPENAI_API_KEY in the environment.");
    return 2;
  }

  const dir = values.dir ?? mkdtempSync(join(tmpdir(), "ecoai-demo-"));
  mkdirSync(dir, { recursive: true });
  const files = { sqlitePath: join(dir, "cache.db"), logPath: join(dir, "usage.db"), settingsPath: join(dir, "settings.json") };

  const OpenAI = await importOpenAI();
  // The simulator stands in for the API; its delay mimics a model's answer time.
  const simulator = values.live ? undefined : await (await import("../simulator/index.ts")).startSimulator({ delayMs: 350 });
  const client = simulator ? new OpenAI({ baseURL: simulator.openaiBaseURL, apiKey: "sk-demo-offline" }) : new OpenAI();
  // Every option the demo's story depends on is set here, so ECOAI_* variables and a settings file cannot change it.
  const base = { client, namespace: "ecoai-demo", storage: "sqlite", cachingEnabled: true, logUsage: true, ...files } satisfies EcoAIConfig<typeof client>;
  const printer = createPrinter();

  try {
    const eco = new EcoAI({ ...base, mode: "dev" });
    await eco.flush();
    console.log(`ecoai demo — ${simulator ? "offline, local OpenAI simulator" : "live OpenAI API"}`);
    console.log(`Files: ${dir}${values.dir === undefined ? " (a temporary folder; --dir .ecoai would use this project's)" : ""}\n`);
    printer.header();
    const play = async (target: typeof eco, call: Call) => {
      await target.chat.completions.create({
        model: call.model,
        messages: [{ role: "user", content: call.content }],
        ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
      });
      const [record] = await target.history({ limit: 1 });
      printer.row(call.label, record!);
    };

    await play(eco, { label: "first question", model: "gpt-4o-mini", content: QUESTION });
    await play(eco, { label: "asked again", model: "gpt-4o-mini", content: QUESTION });
    await play(eco, { label: "asked a third time", model: "gpt-4o-mini", content: QUESTION });
    await play(eco, { label: "temperature changed", model: "gpt-4o-mini", content: QUESTION, temperature: 0.9 });
    await play(eco, { label: "bigger model", model: "gpt-4o", content: QUESTION });
    await play(eco, { label: "bigger model again", model: "gpt-4o", content: QUESTION });
    const removed = await eco.flush({ pattern: "*vector database*", model: "gpt-4o" });
    printer.note(`flush({ pattern: "*vector database*", model: "gpt-4o" }) removed ${removed} entr${removed === 1 ? "y" : "ies"}`);
    await play(eco, { label: "after the flush", model: "gpt-4o", content: QUESTION });
    await eco.close();

    const prod = new EcoAI({ ...base, mode: "prod", ttlByModel: { "gpt-4o-mini": 1 } });
    printer.note('prod mode, ttlByModel: { "gpt-4o-mini": 1 } (seconds)');
    const fresh = { model: "gpt-4o-mini", content: "Give me a one-line tip for writing clear commit messages." };
    await play(prod, { label: "prod: first", ...fresh });
    await play(prod, { label: "prod: within TTL", ...fresh });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await play(prod, { label: "prod: after 1.1 s", ...fresh });
    await prod.close();

    // Offline, prompts are embedded by the local lexical embedder; live, by OpenAI embeddings.
    const semanticConfig = simulator ? { embedFn: createLexicalEmbedder(), embeddingModel: "lexical", threshold: 0.9 } : { threshold: 0.9 };
    const semantic = new EcoAI({ ...base, mode: "dev", semantic: semanticConfig });
    printer.note(`semantic: { threshold: 0.9 }${simulator ? ", lexical embeddings" : ""}`);
    const asked = "What is the capital of Australia? Answer in one word.";
    await play(semantic, { label: "semantic: first", model: "gpt-4o-mini", content: asked });
    await play(semantic, { label: "semantic: reworded", model: "gpt-4o-mini", content: "What is the capital city of Australia? Answer in one word." });
    const overall = await semantic.summary();
    await semantic.close();

    printer.totals();
    console.log(
      `\nUsage log (all runs): ${overall.totalCalls} calls, ${(overall.hitRate * 100).toFixed(1)}% hits, ` +
        `${overall.tokensSaved} tokens, $${overall.costSavedUsd.toFixed(6)} and ${overall.co2SavedG.toFixed(4)} g CO₂ saved.`,
    );
    if (simulator) console.log(`Upstream requests made: ${simulator.count()} (the rest were served from the cache).`);
  } finally {
    await simulator?.close();
  }

  // The dashboard reads the settings file beside its log: the demo's own.
  const dashboardArgs = resolve(files.logPath) === resolve(defaultDbPath()) ? [] : ["--db", files.logPath];
  if (!values.open) {
    console.log(`\nSee it in the dashboard: ${detectInvocation().command("dashboard", dashboardArgs)}`);
    return 0;
  }
  console.log("\nOpening the dashboard over the demo's usage log…");
  const { runDashboard } = await import("./dashboard.ts");
  return runDashboard([...dashboardArgs, ...(values.port === undefined ? [] : ["--port", values.port])]);
}

/** The demo plays through the real openai SDK, an optional peer an app may not have installed. */
async function importOpenAI(): Promise<typeof import("openai").default> {
  try {
    return (await import("openai")).default;
  } catch (error) {
    if (!/Cannot find (package|module) 'openai'/.test(String(error))) throw error;
    const install = detectInvocation().via === "bunx" || process.versions.bun ? "bun add openai" : "npm install openai";
    throw new CliError(`the demo plays through the openai SDK, which is not installed here. Add it with ${install} (it is an optional peer of ecoai), then run the demo again.`);
  }
}

function createPrinter() {
  const rows: UsageRecord[] = [];
  const columns = ["call", "result", "latency", "model", "tokens saved", "$ saved", "g CO₂ saved"];
  const widths = [22, 6, 10, 12, 12, 11, 11];
  const line = (cells: string[]) => console.log(cells.map((cell, i) => (i < 2 || i === 3 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "));
  return {
    header: () => line(columns),
    note: (text: string) => console.log(`  ↳ ${text}`),
    row(label: string, record: UsageRecord) {
      rows.push(record);
      line([
        label,
        record.cacheHit ? "HIT" : "MISS",
        `${record.latencyMs.toFixed(1)} ms`,
        record.model,
        String(record.tokensSaved),
        record.costSavedUsd.toFixed(6),
        record.co2SavedG.toFixed(5),
      ]);
    },
    totals() {
      const hits = rows.filter((row) => row.cacheHit);
      const misses = rows.filter((row) => !row.cacheHit);
      const sum = (pick: (row: UsageRecord) => number) => rows.reduce((total, row) => total + pick(row), 0);
      const averageLatency = (some: UsageRecord[]) => (some.length ? some.reduce((total, row) => total + row.latencyMs, 0) / some.length : 0);
      const hitLatency = averageLatency(hits);
      const missLatency = averageLatency(misses);
      console.log(
        `\nThis session: ${rows.length} calls, ${hits.length} hits (${((hits.length / rows.length) * 100).toFixed(0)}%), ` +
          `${sum((row) => row.tokensSaved)} tokens, $${sum((row) => row.costSavedUsd).toFixed(6)} and ${sum((row) => row.co2SavedG).toFixed(5)} g CO₂ saved.\n` +
          `Average latency: ${hitLatency.toFixed(2)} ms on a hit, ${missLatency.toFixed(1)} ms on a miss.`,
      );
    },
  };
}
