/**
 * A log written under methodology 1 keeps its values when migrated, each row marked with the
 * version that computed it; `ecoai recompute` brings it to the current method.
 */
import { describe, expect, spyOn, test } from "bun:test";
import { join } from "node:path";
import { runRecompute } from "../../src/cli/recompute.ts";
import { createDashboardApp } from "../../src/dashboard/app.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { accountFor } from "../../src/usage/call-account.ts";
import { createUsageLog } from "../../src/usage/log.ts";
import { METHODOLOGY_VERSION } from "../../src/usage/methodology.ts";
import { recomputeLog } from "../../src/usage/recompute.ts";
import { recordingLogger } from "../harness.ts";
import { tempDir } from "../temp.ts";
import { LEGACY_COLUMNS, writeLegacyLog } from "./legacy-schema.ts";

const dir = tempDir();
const ROWS = 3000;

function legacyLog(name: string): string {
  const path = join(dir, name);
  const db = openDatabase(path);
  writeLegacyLog(db, ROWS);
  db.close();
  return path;
}

function readAll(path: string, columns = "*") {
  const db = openDatabase(path);
  try {
    return db.prepare(`SELECT ${columns} FROM usage_log ORDER BY id`).all();
  } finally {
    db.close();
  }
}

describe("a log written under methodology 1", () => {
  test("keeps every value when migrated, each row marked version 1 with no range, and summary() says so", () => {
    const path = legacyLog("kept.db");
    const before = readAll(path, LEGACY_COLUMNS.join(", "));
    const log = createUsageLog({ path, logger: recordingLogger() });
    const summary = log.summary();
    log.record({
      timestamp: "2026-11-29T10:00:00.000Z", provider: "openai", model: "gpt-4o", cacheHit: true, semanticHit: false, cacheKey: "k", prompt: "new",
      promptType: "text", usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 }, latencyMs: 1,
    });
    log.close();
    const after = readAll(path);
    expect(after.slice(0, ROWS).map((row) => Object.fromEntries(LEGACY_COLUMNS.map((c) => [c, row[c]])))).toEqual(before.map((row) => Object.fromEntries(LEGACY_COLUMNS.map((c) => [c, row[c]]))));
    expect(after.slice(0, ROWS).every((row) => row.methodology_version === 1 && row.energy_wh_central === null && row.co2e_g_central === null && row.grid_g_per_kwh === null)).toBe(true);
    expect(after[ROWS]).toMatchObject({ methodology_version: METHODOLOGY_VERSION, grid_g_per_kwh: 473.01 });
    // Totals: the old CO₂ as written, no range for it, and the rows that lack one counted.
    const sum = before.reduce((total, row) => total + Number(row.co2_saved_g), 0);
    expect(summary.co2SavedG).toBeCloseTo(sum, 9);
    expect(summary.footprint.callsUnderEarlierMethods).toBe(ROWS);
    expect(summary.footprint.co2eSavedG).toEqual({ low: 0, central: 0, high: 0 });
  });
});

describe("recompute", () => {
  test("a dry run reports what would change and writes nothing", () => {
    const path = legacyLog("dry.db");
    const before = readAll(path, LEGACY_COLUMNS.join(", "));
    const db = openDatabase(path);
    const report = recomputeLog(db, { dryRun: true });
    db.close();
    expect(report).toMatchObject({ dryRun: true, rows: ROWS, changed: ROWS, byEarlierVersion: { 1: ROWS } });
    expect(report.before.co2SavedG).toBeCloseTo(before.reduce((t, r) => t + Number(r.co2_saved_g), 0), 9);
    expect(readAll(path, LEGACY_COLUMNS.join(", "))).toEqual(before);
    expect(readAll(path).every((row) => row.methodology_version === 1)).toBe(true);
  });

  test("rewrites each row's figures from its tokens under the current method, token counts untouched; a second run changes nothing", () => {
    const path = legacyLog("real.db");
    const tokensBefore = readAll(path, "id, input_tokens, output_tokens, tokens_saved, timestamp, prompt");
    const db = openDatabase(path);
    const report = recomputeLog(db, { footprint: { gridRegion: "FRA" }, batchSize: 700 });
    expect(report).toMatchObject({ rows: ROWS, changed: ROWS });
    expect(recomputeLog(db, { footprint: { gridRegion: "FRA" } }).changed).toBe(0);
    db.close();
    const rows = readAll(path);
    expect(readAll(path, "id, input_tokens, output_tokens, tokens_saved, timestamp, prompt")).toEqual(tokensBefore);
    for (const row of [rows[0]!, rows[1]!, rows[7]!, rows[14]!, rows[ROWS - 1]!]) {
      const expected = accountFor(
        {
          model: String(row.model), provider: row.provider as "openai", cacheHit: row.cache_hit === 1, timestamp: String(row.timestamp),
          usage: { inputTokens: Number(row.input_tokens), cachedInputTokens: 0, outputTokens: Number(row.output_tokens) },
          embedding: { tokens: Number(row.embedding_tokens), costUsd: Number(row.embedding_cost_usd) },
        },
        { footprint: { gridRegion: "FRA" } },
      );
      expect(row).toMatchObject({ methodology_version: METHODOLOGY_VERSION, grid_g_per_kwh: 44.18, priced: expected.priced ? 1 : 0 });
      expect(row.co2_saved_g as number).toBeCloseTo(expected.co2SavedG, 12);
      expect(row.co2e_g_central as number).toBeCloseTo(expected.co2eG.central, 12);
      expect(row.cost_saved_usd as number).toBeCloseTo(expected.costSavedUsd, 12);
    }
    // The unknown model's rows had methodology 1's default price; now they are flagged, not priced.
    expect(rows.filter((row) => row.model === "my-own-model").every((row) => row.priced === 0)).toBe(true);
    expect(report.after.unpricedCalls).toBe(ROWS / 5);
  });

  test("a row priced by a pricing option when written keeps its dollars", () => {
    const path = join(dir, "override.db");
    const log = createUsageLog({ path, logger: recordingLogger(), pricing: { "acme-": { inputPerMTok: 1, outputPerMTok: 2 } } });
    log.record({ timestamp: "2026-11-29T10:00:00.000Z", provider: "openai", model: "acme-llm", cacheHit: true, semanticHit: false, cacheKey: "k", prompt: "p", promptType: "text", usage: { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 1000 }, latencyMs: 1 });
    log.close();
    const db = openDatabase(path);
    const report = recomputeLog(db, { footprint: { gridIntensityGPerKwh: 100 } });
    db.close();
    expect(report.keptPrices).toBe(1);
    expect(readAll(path)[0]).toMatchObject({ priced: 1, cost_saved_usd: (1000 * 1 + 1000 * 2) / 1e6, grid_g_per_kwh: 100 });
  });

  test("the command recomputes, prints before and after, and the dashboard's totals follow", async () => {
    const path = legacyLog("cli.db");
    const app = await createDashboardApp({ dbPath: path });
    const summaryOf = async (a: typeof app) => (await a.handle(new Request("http://127.0.0.1/api/summary"))).json();
    expect((await summaryOf(app)).footprint.callsUnderEarlierMethods).toBe(ROWS);
    await app.close();

    const printed: string[] = [];
    const log = spyOn(console, "log").mockImplementation((line: string) => void printed.push(line));
    try {
      expect(await runRecompute(["--db", path, "--dry-run"])).toBe(0);
      expect(printed.join("\n")).toMatch(/Dry run: nothing written[\s\S]*3,000 rows looked at \(3,000 by method 1\); 3,000 would change/);
      expect(await runRecompute(["--db", path, "--grid-intensity", "100"])).toBe(0);
      expect(printed.at(-1)).toMatch(/grid 100 g CO₂e\/kWh[\s\S]*CO₂e saved \(central\)/);
    } finally {
      log.mockRestore();
    }
    await expect(runRecompute(["--db", path, "--grid-region", "Atlantis"])).rejects.toThrow(/--grid-region "Atlantis": expected "provider" or one of/);

    const reopened = await createDashboardApp({ dbPath: path });
    const summary = await summaryOf(reopened);
    await reopened.close();
    expect(summary.footprint.callsUnderEarlierMethods).toBe(0);
    const rows = readAll(path);
    expect(summary.co2SavedG).toBeCloseTo(rows.reduce((t, r) => t + Number(r.co2_saved_g), 0), 9);
    expect(summary.footprint.co2eSavedG.low).toBeLessThan(summary.footprint.co2eSavedG.central);
  });
});
