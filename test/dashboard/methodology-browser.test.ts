/**
 * The overview's methodology panel in Chromium, over a log of calls computed by the current
 * method and some by methodology 1, with the grid set in the settings file: the formula, every
 * factor with a source and a date, the grid in use and where it came from, the totals as ranges,
 * equivalences of the central estimate, the dated price table and the unpriced model flagged.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { accountFor } from "../../src/usage/call-account.ts";
import { PRICE_TABLE } from "../../src/usage/price-table.ts";
import { tempDir } from "../temp.ts";
import { CHROMIUM, launchChromium, openDashboardPage } from "./chromium.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";
import { startDashboard, type StartedDashboard } from "./start.ts";

const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts");
const dir = tempDir();
const dbPath = join(dir, "usage.db");
const settingsPath = join(dir, "settings.json");
/** The pages' own number formatting, as the browser loads it. */
const FORMAT_JS = "/assets/format.js";
const FRANCE = 44.18; // g CO₂e/kWh, Our World in Data via EcoLogits' electricity mixes

/** A row as the log writes it under the current method, on the French grid. */
function current(model: string, hit: boolean, inputTokens: number, outputTokens: number): SeedRow {
  const a = accountFor({ model, cacheHit: hit, usage: { inputTokens, cachedInputTokens: 0, outputTokens } }, { footprint: { gridRegion: "FRA" } });
  return {
    model, cacheHit: hit, inputTokens, outputTokens, tokensSaved: a.tokensSaved, costUsd: a.costUsd, priced: a.priced, costSavedUsd: a.costSavedUsd,
    co2SavedG: a.co2SavedG, energyWh: a.energyWh, co2eG: a.co2eG, gridGPerKwh: a.gridGPerKwh, timestamp: new Date().toISOString(),
  };
}

const rows: SeedRow[] = [
  current("gpt-4o", false, 100, 300),
  ...Array.from({ length: 40 }, () => current("gpt-4o", true, 100, 300)),
  current("acme-llm-9", false, 100, 300),
  current("acme-llm-9", true, 100, 300),
  // Two hits computed by methodology 1: CO₂ as written, no range.
  { model: "gpt-4o", cacheHit: true, co2SavedG: 0.009, methodologyVersion: 1, timestamp: new Date().toISOString() },
  { model: "gpt-4o", cacheHit: true, co2SavedG: 0.009, methodologyVersion: 1, timestamp: new Date().toISOString() },
];
const hits = rows.filter((row) => row.cacheHit && row.co2eG);
const saved = (s: "low" | "central" | "high") => hits.reduce((total, row) => total + row.co2eG![s], 0);

let dashboard: StartedDashboard | undefined;
let browser: Browser | undefined;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  seedUsageLog(dbPath, rows);
  writeFileSync(settingsPath, JSON.stringify({ gridRegion: "FRA" }));
  dashboard = await startDashboard("bun", ["--db", dbPath, "--settings", settingsPath], dir);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
});

function open(path: string): Promise<Page> {
  return openDashboardPage(browser!, dashboard!.origin, path, problems);
}

const cells = (page: Page, table: string) => page.locator(`#${table} tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));

describe.skipIf(!existsSync(CHROMIUM))("the methodology panel in Chromium", () => {
  test("shows the formula, the grid in use and where it came from, and the CO₂e saved as a range", async () => {
    const page = await open("/");
    await page.locator("#method-co2").evaluate((node) => ((node as HTMLDetailsElement).open = true));
    await page.waitForFunction(() => (document.getElementById("range-table") as HTMLTableElement).tBodies[0]!.rows.length > 0);
    expect(await page.locator("#methodology-version").textContent()).toMatch(/^Method version 2, reviewed \d{4}-\d{2}-\d{2}$/);
    const formula = (await page.locator("#formula").textContent())!;
    for (const part of ["E (Wh) = PUE ×", "E_prefill", "CO₂e (g) = E (kWh) × grid intensity", "USD ="]) expect(formula).toContain(part);
    const grid = (await page.locator("#grid-in-use").textContent())!;
    expect(grid).toContain(`${FRANCE} g CO₂e per kWh`);
    expect(grid).toContain(`gridRegion, from settings file ${settingsPath}`);
    expect(await page.locator("#embodied-in-use").textContent()).toContain("not included");

    // The range of CO₂e saved: the seeded rows' sums, low < central < high, as the page formats grams.
    const [co2Row] = await cells(page, "range-table");
    const format = (g: number) => page.evaluate(async ([grams, url]) => (await import(url)).fmt.grams(grams), [g, FORMAT_JS] as const);
    expect(co2Row).toEqual(["CO₂e saved", await format(saved("low")), await format(saved("central")), await format(saved("high"))]);
    expect(saved("low")).toBeLessThan(saved("central"));
    // Rows of the earlier method are counted and pointed at ecoai recompute.
    expect(await page.locator("#earlier-method").isVisible()).toBe(true);
    expect(await page.locator("#earlier-method").textContent()).toMatch(/^2 calls were logged under an earlier method.*ecoai recompute/);
    await page.close();
  });

  test("lists every factor with a source and a date, each provider's PUE and grid, and the published figures", async () => {
    const page = await open("/");
    await page.waitForFunction(() => (document.getElementById("factor-table") as HTMLTableElement).tBodies[0]!.rows.length > 0);
    const factors = await cells(page, "factor-table");
    expect(factors.length).toBeGreaterThan(25);
    for (const [name, value, , source, date] of factors) {
      expect(value, name).not.toBe("");
      expect(source, name).toMatch(/\w+\.\w+/);
      expect(date, name).toMatch(/^\d{4}(-\d{2}-\d{2})?$/);
    }
    expect(factors.find((f) => f[0] === "GPU energy α")).toEqual(["GPU energy α", "1.167e-6", "Wh per token per GPU per billion active parameters", "github.com", "2025-11-13"]);
    expect(factors.find((f) => f[0] === "world grid")!.slice(1, 3)).toEqual(["473", "g CO₂e per kWh"]);
    const centres = await cells(page, "datacentre-table");
    expect(centres).toEqual([
      ["OpenAI", "1.2", "USA (Microsoft Azure)", String(FRANCE), "ecologits.ai"],
      ["Anthropic", "1.09–1.14", "USA (AWS and Google Cloud)", String(FRANCE), "ecologits.ai"],
      ["Gemini", "1.09", "USA (Google Cloud)", String(FRANCE), "ecologits.ai"],
    ]);
    const published = await cells(page, "published-table");
    expect(published.map((p) => p[1])).toContain("0.24");
    expect(published.find((p) => p[0]!.startsWith("GPT-4o query with 100,000"))![2]).toBe("epoch.ai");
    const links = await page.locator("#factor-table a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.getAttribute("rel")]));
    expect(links.every(([href, rel]) => href!.startsWith("https://") && rel === "noopener noreferrer")).toBe(true);
    await page.close();
  });

  test("equivalences come from the central estimate and say so", async () => {
    const page = await open("/");
    await page.waitForFunction(() => (document.getElementById("equivalence-table") as HTMLTableElement).tBodies[0]!.rows.length > 0);
    expect(await page.locator("#equivalence-table thead").textContent()).toContain("(central estimate)");
    const emails = (await cells(page, "equivalence-table")).find((row) => row[0] === "One email")!;
    const expected = await page.evaluate(async ([n, url]) => (await import(url)).fmt.amount(n), [saved("central") / 4, FORMAT_JS] as const);
    expect(emails.slice(0, 3)).toEqual(["One email", "4 g", expected]); // Berners-Lee, How Bad Are Bananas?: 4 g CO₂e per email
    expect(await page.locator("#stat-co2-sub").textContent()).toContain("central estimate");
    await page.close();
  });

  test("the price table gives a source and date per row, lists the deliberately unpriced, and the unpriced model is flagged", async () => {
    const page = await open("/");
    await page.waitForFunction(() => (document.getElementById("price-table") as HTMLTableElement).tBodies[0]!.rows.length > 0);
    const prices = await cells(page, "price-table");
    expect(prices).toHaveLength(Object.keys(PRICE_TABLE).length);
    expect(prices.find((p) => p[0] === "claude-sonnet-4-5")).toEqual(["claude-sonnet-4-5", "$3", "$0.3", "$3.75", "$15", "$15", "platform.claude.com", "2026-11-29"]);
    expect((await cells(page, "unpriced-table")).find((u) => u[0] === "whisper-1")![1]).toContain("does not cache");
    expect(await page.locator("#unpriced").isVisible()).toBe(true);
    expect(await page.locator("#unpriced").textContent()).toContain("acme-llm-9");
    await page.locator("#methodology details").evaluateAll((nodes) => nodes.forEach((node) => ((node as HTMLDetailsElement).open = true)));
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-methodology.png"), fullPage: true });
    await page.close();
  });

  test("the settings page shows the grid in use and where it came from", async () => {
    const page = await open("/settings");
    expect(await page.locator("#grid-value").textContent()).toBe(`${FRANCE} g CO₂e/kWh`);
    expect(await page.locator("#grid-basis").textContent()).toBe("(the FRA grid)");
    expect(await page.locator("#grid-source").textContent()).toBe(`Set by gridRegion, from settings file ${settingsPath}.`);
    await page.close();
  });

  test("no page logged an error", () => {
    expect(problems).toEqual([]);
  });
});
