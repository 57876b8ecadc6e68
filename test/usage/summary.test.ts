/**
 * summary() over rows of the current method: tokens spent count a hit's tokens once, energy and
 * CO₂e come as ranges that equal the rows' sums, savings are net of embeddings, unpriced models are
 * named, and the method travels with the numbers.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { accountFor } from "../../src/usage/call-account.ts";
import { createUsageLog, type NewUsageRecord } from "../../src/usage/log.ts";
import { recordingLogger } from "../harness.ts";
import { tempDir } from "../temp.ts";

const dir = tempDir();

function call(model: string, cacheHit: boolean, extra: Partial<NewUsageRecord> = {}): NewUsageRecord {
  return {
    timestamp: "2026-11-29T12:00:00.000Z", provider: "openai", model, cacheHit, semanticHit: false, cacheKey: "k", prompt: "p", promptType: "text",
    usage: { inputTokens: 1_000, cachedInputTokens: 0, outputTokens: 400 }, latencyMs: 1, ...extra,
  };
}

test("summary() gives tokens spent once, CO₂e and energy as ranges net of embeddings, unpriced models and the method", () => {
  const path = join(dir, "summary.db");
  const log = createUsageLog({ path, logger: recordingLogger(), footprint: () => ({ gridIntensityGPerKwh: 100 }) });
  const calls = [
    call("gpt-4o", false),
    call("gpt-4o", true),
    call("gpt-4o", true, { semanticHit: true, embedding: { tokens: 10, costUsd: 0.0000002 } }),
    call("acme-llm-9", false),
  ];
  for (const c of calls) log.record(c);
  const summary = log.summary();
  log.close();

  const accounts = calls.map((c) => accountFor(c, { footprint: { gridIntensityGPerKwh: 100 } }));
  const hits = accounts.filter((_, i) => calls[i]!.cacheHit);
  const misses = accounts.filter((_, i) => !calls[i]!.cacheHit);
  // Spent tokens: the two misses' 1,400 each; the hits' tokens count once, as saved (400 each).
  expect(summary.tokensSpent).toBe(2 * 1_400);
  expect(summary.tokensSaved).toBe(2 * 400);
  for (const s of ["low", "central", "high"] as const) {
    expect(summary.footprint.co2eSavedG[s]).toBeCloseTo(hits.reduce((t, a) => t + a.co2eG[s], 0) - accounts[2]!.embeddingCo2eG, 12);
    expect(summary.footprint.energySavedWh[s]).toBeCloseTo(hits.reduce((t, a) => t + a.energyWh[s], 0), 12);
    expect(summary.footprint.energySpentWh[s]).toBeCloseTo(misses.reduce((t, a) => t + a.energyWh[s], 0), 12);
  }
  expect(summary.co2SavedG).toBeCloseTo(summary.footprint.co2eSavedG.central, 12);
  expect(summary.footprint.equivalences).toMatchObject({ basis: "central estimate" });
  expect(summary.footprint.equivalences.emails).toBeCloseTo(summary.footprint.co2eSavedG.central / 4, 12);
  expect(summary.costSavedUsd).toBeCloseTo(hits.reduce((t, a) => t + a.costSavedUsd, 0), 15);
  expect(summary).toMatchObject({ unpricedCalls: 1, unpricedModels: ["acme-llm-9"] });
  expect(summary.methodology.version).toBe(2);
  expect(summary.methodology.grid.inUse.openai).toMatchObject({ gPerKwh: 100, basis: "user" });
  expect(summary.methodology.factors.every((f) => f.source.startsWith("https://") && /^\d{4}/.test(f.asOf))).toBe(true);
});
