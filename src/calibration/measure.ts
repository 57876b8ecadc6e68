/**
 * Measures semantic caching on labelled question pairs through the real library: an `EcoAI`
 * wrapping a real `openai` client pointed at the local simulator, with the semantic settings
 * under test. A served answer is recognised by its response id; whether it was the right one, by
 * the pairs' labels.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EcoAI } from "../eco.ts";
import { EcoAIError } from "../errors.ts";
import { startSimulator, type Simulator } from "../simulator/index.ts";
import type { SemanticConfig } from "../types.ts";
import type { LabelledPair } from "./pairs.ts";

/** What one setting did on one protocol. */
export interface Outcome {
  /** Questions asked after the cache held their counterparts. */
  queries: number;
  /** Queries whose meaning the cache held (true repeats). */
  repeats: number;
  /** Queries served from the cache. */
  hits: number;
  /** Served the answer to a question of the same meaning. */
  correct: number;
  /** Served the answer to a question of another meaning. */
  wrong: number;
  /** Verified and shadow modes: queries whose match was checked against the provider's answer. */
  checked?: number;
}

/** Pairs asked in parallel in protocol "alone" (each in its own namespace, so they cannot meet). */
const PARALLEL_PAIRS = 16;

interface OpenAILike {
  baseURL: string;
  chat: { completions: { create(body: object): Promise<{ id: string }> } };
}

/** The simulator and an `openai` client class, shared by every measurement of a run. */
export interface Bench {
  sim: Simulator;
  client(): OpenAILike;
  close(): Promise<void>;
}

/** Starts the simulator; the `openai` package must be installed (it is what the benchmark drives). */
export async function startBench(): Promise<Bench> {
  let OpenAI: new (options: object) => OpenAILike;
  try {
    const openaiName: string = "openai";
    OpenAI = (await import(openaiName)).default;
  } catch (error) {
    throw new EcoAIError("ECOAI_SDK_UNAVAILABLE", "the semantic-quality benchmark drives the openai SDK against a local simulator: run `npm install openai`.", { cause: error });
  }
  const sim = await startSimulator();
  const dir = mkdtempSync(join(tmpdir(), "ecoai-calibrate-"));
  return {
    sim,
    client: () => new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-ecoai-calibrate", maxRetries: 0 }),
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function wrap(bench: Bench, semantic: SemanticConfig, entries: number) {
  const eco = new EcoAI({
    client: bench.client(),
    storage: "memory",
    memoryMaxEntries: Math.max(1000, entries * 2),
    logUsage: false,
    settingsPath: join(tmpdir(), "ecoai-calibrate-no-settings.json"),
    semantic,
    logger: { warn: () => {} },
  });
  const ask = async (content: string, namespace?: string) =>
    (await eco.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] }, namespace ? ({ ecoai: { namespace } } as never) : undefined)).id;
  return { ask, close: () => eco.close() };
}

/** How a protocol measures one setting. */
export type Protocol = (bench: Bench, pairs: readonly LabelledPair[], semantic: SemanticConfig) => Promise<Outcome>;

/**
 * Verified and shadow settings compare the provider's answer with the stored one. The simulator's
 * answers cannot say whether two questions mean the same, so the benchmark's judge reads the
 * labels: agreement is what a perfect judge would find. `judged` counts its calls (verifications).
 */
function withLabelJudge(semantic: SemanticConfig, sameMeaning: (storedPrompt: string, prompt: string) => boolean, outcome: Outcome): SemanticConfig {
  if (semantic.maxErrorRate === undefined && !semantic.shadow) return semantic;
  return {
    ...semantic,
    judge: ({ storedPrompt, prompt }) => {
      outcome.checked = (outcome.checked ?? 0) + 1;
      return sameMeaning(storedPrompt, prompt);
    },
  };
}

/** Protocol "alone": each pair in an empty cache of its own; store `a`, ask `b`. */
export async function measureAlone(bench: Bench, pairs: readonly LabelledPair[], semantic: SemanticConfig): Promise<Outcome> {
  const outcome: Outcome = { queries: pairs.length, repeats: 0, hits: 0, correct: 0, wrong: 0 };
  const duplicates = new Set(pairs.filter((pair) => pair.duplicate).map((pair) => `${pair.a.slice(0, 200)}\0${pair.b.slice(0, 200)}`));
  const eco = wrap(bench, withLabelJudge(semantic, (stored, prompt) => duplicates.has(`${stored}\0${prompt.slice(0, 200)}`), outcome), pairs.length * 2);
  try {
    for (let start = 0; start < pairs.length; start += PARALLEL_PAIRS) {
      await Promise.all(
        pairs.slice(start, start + PARALLEL_PAIRS).map(async (pair, offset) => {
          const namespace = `pair-${start + offset}`;
          const stored = await eco.ask(pair.a, namespace);
          const served = await eco.ask(pair.b, namespace);
          if (pair.duplicate) outcome.repeats++;
          if (served !== stored) return;
          outcome.hits++;
          if (pair.duplicate) outcome.correct++;
          else outcome.wrong++;
        }),
      );
    }
  } finally {
    await eco.close();
  }
  return outcome;
}

/**
 * Protocol "populated": one cache stores the first question of every pair, then is asked each
 * second question (not itself stored). A query is a true repeat when the cache holds a question
 * of its meaning (its own partner, for data without meaning ids); a hit is right when the answer
 * served is that of a question of its meaning. Queries are asked one at a time, so each sees the
 * answers the ones before it stored, as in a running service.
 */
export async function measurePopulated(bench: Bench, pairs: readonly LabelledPair[], semantic: SemanticConfig): Promise<Outcome> {
  interface Question {
    text: string;
    meaning: string;
  }
  const stored = new Map<string, Question>();
  const asked = new Map<string, Question & { partner: string; duplicate: boolean }>();
  pairs.forEach((pair, i) => {
    if (!stored.has(pair.a)) stored.set(pair.a, { text: pair.a, meaning: pair.meaningA ?? `a${i}` });
  });
  pairs.forEach((pair, i) => {
    if (stored.has(pair.b) || asked.has(pair.b)) return;
    const partner = stored.get(pair.a)!;
    asked.set(pair.b, { text: pair.b, meaning: pair.meaningB ?? (pair.duplicate ? partner.meaning : `b${i}`), partner: pair.a, duplicate: pair.duplicate });
  });
  // Meanings the cache holds an answer for: the stored questions', then each asked question that missed (its answer is stored).
  const held = new Set([...stored.values()].map((question) => question.meaning));
  const outcome: Outcome = { queries: asked.size, repeats: 0, hits: 0, correct: 0, wrong: 0 };
  const meanings = new Map<string, string>();
  for (const question of [...stored.values(), ...asked.values()]) meanings.set(question.text.slice(0, 200), question.meaning);
  const sameMeaning = (a: string, b: string) => meanings.get(a.slice(0, 200)) !== undefined && meanings.get(a.slice(0, 200)) === meanings.get(b.slice(0, 200));
  const eco = wrap(bench, withLabelJudge(semantic, sameMeaning, outcome), stored.size + asked.size);
  const answers = new Map<string, Question>();
  try {
    for (const question of stored.values()) answers.set(await eco.ask(question.text), question);
    for (const question of asked.values()) {
      if (held.has(question.meaning)) outcome.repeats++;
      const id = await eco.ask(question.text);
      const served = answers.get(id);
      if (!served) {
        answers.set(id, question);
        held.add(question.meaning);
        continue;
      }
      outcome.hits++;
      if (served.meaning === question.meaning) outcome.correct++;
      else outcome.wrong++;
    }
  } finally {
    await eco.close();
  }
  return outcome;
}

export { wilsonInterval } from "./interval.ts";
