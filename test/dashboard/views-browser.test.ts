import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { tempDir } from "../temp.ts";
import { CHROMIUM, launchChromium, openDashboardPage } from "./chromium.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";
import { startDashboard, type StartedDashboard } from "./start.ts";

// What the overview and prompts pages do beyond their first view — a custom range, the live
// refresh, the charts' axes and tooltips, a prompt leading to its requests — checked in Debian's
// Chromium against the real `ecoai dashboard` command over a log whose every row is known here.
const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts");
const DAY = 86_400_000;
const dir = tempDir();
const dbPath = join(dir, "usage.db");
const NOW = Date.now();
const isoDay = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString().slice(0, 10);

/** 40 days of calls: two models, two namespaces, a hit in every other call, one semantic hit in six. */
function seedRows(): SeedRow[] {
  const rows: SeedRow[] = [];
  for (let i = 0; i < 240; i++) {
    const hit = i % 2 === 1;
    rows.push({
      timestamp: new Date(NOW - (i % 40) * DAY - (i % 7) * 3_600_000 - 60_000).toISOString(),
      model: i % 3 === 0 ? "gpt-4o-mini" : "gpt-4o",
      namespace: i % 4 === 0 ? "tenant-a" : "",
      prompt: `How do I reset invoice ${i % 12}?`,
      cacheHit: hit, semanticHit: hit && i % 6 === 1, tokensSaved: hit ? 40 : 0, costSavedUsd: hit ? 0.0012 : 0, co2SavedG: hit ? 0.002 : 0,
    });
  }
  return rows;
}
const ROWS = seedRows();

let dashboard: StartedDashboard | undefined;
let browser: Browser | undefined;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  seedUsageLog(dbPath, ROWS);
  dashboard = await startDashboard("bun", ["--db", dbPath], dir);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
});

function open(path: string, viewport = { width: 1360, height: 900 }): Promise<Page> {
  return openDashboardPage(browser!, dashboard!.origin, path, problems, { viewport, timeoutMs: 10_000 });
}

const int = (n: number) => n.toLocaleString("en-US");

describe.skipIf(!existsSync(CHROMIUM))("overview and prompts in Chromium, beyond the first view", () => {
  test("a custom range picked on the page shows exactly its days' calls, stays in the address, and fits a phone", async () => {
    const [from, to] = [isoDay(20), isoDay(10)];
    const inRange = ROWS.filter((r) => r.timestamp! >= `${from}T00:00:00.000Z` && r.timestamp! < new Date(Date.parse(`${to}T00:00:00Z`) + DAY).toISOString());
    const page = await open("/");
    await page.click('[data-range="custom"]');
    await page.fill("#range-from", from);
    await page.locator("#range-from").dispatchEvent("change");
    await page.fill("#range-to", to);
    await page.locator("#range-to").dispatchEvent("change");
    await page.waitForFunction((calls) => document.getElementById("stat-calls")?.textContent === calls, int(inRange.length));
    expect(await page.locator("#stat-hits").textContent()).toBe(int(inRange.filter((r) => r.cacheHit).length));
    const address = new URL(page.url()).searchParams;
    expect([address.get("range"), address.get("from"), address.get("to")]).toEqual(["custom", from, to]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-overview-custom-range-desktop.png"), fullPage: true });
    await page.close();

    const phone = await open(`/?range=custom&from=${from}&to=${to}`, { width: 390, height: 844 });
    expect(await phone.locator("#stat-calls").textContent()).toBe(int(inRange.length));
    expect(await phone.locator(".custom-range").isVisible()).toBe(true);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: join(ARTIFACTS, "dashboard-overview-custom-range-phone.png"), fullPage: true });
    await phone.close();
  });

  test("counts have whole-number axes; hit rates carry % in the axis and the tooltip; money reads as dollars", async () => {
    const page = await open("/?range=7d&model=gpt-4o-mini");
    const charts = await page.evaluate(() => {
      const Chart = (window as unknown as { Chart: any }).Chart;
      const rate = Chart.getChart("rate-chart");
      const money = Chart.getChart("money-chart");
      // The tooltip a pointer over the busiest day would show, as the chart writes it.
      const busiest = rate.data.datasets[2].data.reduce((best: number, calls: number, i: number, all: number[]) => (calls > all[best]! ? i : best), 0);
      const lines = (chart: any, datasets: number[]) => {
        chart.tooltip.setActiveElements(datasets.map((datasetIndex) => ({ datasetIndex, index: busiest })), { x: 0, y: 0 });
        chart.update();
        return chart.tooltip.body.flatMap((item: { lines: string[] }) => item.lines);
      };
      return {
        callTicks: rate.scales.calls.ticks.map((tick: { value: number }) => tick.value),
        rateTicks: rate.scales.rate.ticks.map((tick: { label: string }) => tick.label),
        rateTooltip: lines(rate, [0, 1, 2]),
        moneyTooltip: lines(money, [0, 1]),
      };
    });
    expect(charts.callTicks.length).toBeGreaterThan(1);
    expect(charts.callTicks.every((value: number) => Number.isInteger(value))).toBe(true);
    expect(charts.rateTicks.every((label: string) => /^\d+%$/.test(label))).toBe(true);
    expect(charts.rateTooltip[0]).toMatch(/^Exact hits: (\d+\.\d%|–)$/);
    expect(charts.rateTooltip[1]).toMatch(/^Semantic hits: (\d+\.\d%|–)$/);
    expect(charts.rateTooltip[2]).toMatch(/^Calls: \d+$/);
    expect(charts.moneyTooltip.every((line: string) => /^(Spent|Saved): .*\$/.test(line))).toBe(true);
    await page.close();
  });

  test("live: the overview picks up new calls by itself, and stops when turned off (remembered on reload)", async () => {
    const page = await open("/?range=24h");
    const today = () => ROWS.filter((r) => r.timestamp! >= new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 23 * 3_600_000).toISOString()).length;
    expect(await page.locator("#stat-calls").textContent()).toBe(int(today()));
    expect(await page.isChecked("#live")).toBe(true);
    const fresh = [{ timestamp: new Date().toISOString(), prompt: "asked while the page was open" }, { timestamp: new Date().toISOString(), prompt: "asked while the page was open", cacheHit: true }];
    seedUsageLog(dbPath, fresh);
    ROWS.push(...fresh);
    // No click, no reload: the next refresh (every 5 seconds) shows them.
    await page.waitForFunction((calls) => document.getElementById("stat-calls")?.textContent === calls, int(today()), { timeout: 12_000 });

    await page.uncheck("#live");
    const shown = await page.locator("#stat-calls").textContent();
    const loads = await page.evaluate(() => document.body.dataset.loaded);
    seedUsageLog(dbPath, [{ timestamp: new Date().toISOString(), prompt: "asked with live off" }]);
    ROWS.push({ timestamp: new Date().toISOString(), prompt: "asked with live off" });
    await Bun.sleep(6_500);
    expect(await page.locator("#stat-calls").textContent()).toBe(shown);
    expect(await page.evaluate(() => document.body.dataset.loaded)).toBe(loads);
    await page.reload();
    await page.waitForSelector("body[data-loaded]");
    expect(await page.isChecked("#live")).toBe(false);
    expect(await page.locator("#stat-calls").textContent()).toBe(int(today()));
    await page.check("#live");
    await page.close();
  }, 40_000);

  test("prompts follow the model, namespace and date filters, and each leads to exactly its requests", async () => {
    const page = await open(`/prompts?range=custom&from=${isoDay(30)}&to=${isoDay(0)}&model=gpt-4o&namespace=tenant-a`);
    const selected = ROWS.filter((r) => r.model === "gpt-4o" && r.namespace === "tenant-a" && r.timestamp! >= `${isoDay(30)}T00:00:00.000Z`);
    const distinct = new Set(selected.map((r) => r.prompt));
    expect(await page.locator("#page-info").textContent()).toBe(`Page 1 of 1 · ${distinct.size} prompt${distinct.size === 1 ? "" : "s"}`);
    const first = page.locator("#prompts-table tbody tr").first();
    const prompt = await first.locator(".prompt-text").textContent();
    const calls = selected.filter((r) => r.prompt === prompt).length;
    expect(await first.locator('td[data-label="Calls"]').textContent()).toBe(int(calls));
    await first.locator("a", { hasText: "Requests" }).click();
    await page.waitForURL(/\/requests\?/);
    await page.waitForSelector("body[data-loaded]");
    await page.waitForFunction(() => (document.getElementById("page-info")?.textContent ?? "") !== "");
    expect(await page.locator("#page-info").textContent()).toBe(`${int(calls)} of ${int(calls)} calls`);
    const prompts = await page.locator("#requests-table tbody tr .prompt-text").allTextContents();
    expect(prompts.length).toBe(calls);
    expect(new Set(prompts)).toEqual(new Set([prompt!]));
    await page.close();
  });

  test("a request's detail at a phone's width fits the screen", async () => {
    const page = await open("/requests?range=7d&outcome=semantic", { width: 390, height: 844 });
    await page.locator("#requests-table tbody tr").first().click();
    await page.waitForSelector("#detail[data-loaded]");
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    const dialog = await page.locator("#detail").boundingBox();
    expect(dialog!.x).toBeGreaterThanOrEqual(0);
    expect(dialog!.x + dialog!.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-request-detail-phone.png"), fullPage: true });
    await page.close();
  });

  test("no page logged an error", () => {
    expect(problems).toEqual([]);
  });
});
