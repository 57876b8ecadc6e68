import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { createDashboardApp } from "../../src/dashboard/app.ts";
import { tempDir } from "../temp.ts";
import { CHROMIUM, launchChromium } from "./chromium.ts";
import { getJson } from "./request.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";
import { startDashboard, type StartedDashboard } from "./start.ts";

const dir = tempDir();
const dbPath = join(dir, "usage.db");

/** Shadow mode checked 40 matches, 30 of which agreed; verified mode made 3 verification calls. */
function rows(): SeedRow[] {
  const seeded: SeedRow[] = [];
  for (let i = 0; i < 40; i++) seeded.push({ prompt: `question ${i}`, semanticCheck: "shadow", checkAgreed: i % 4 !== 0 });
  for (let i = 0; i < 3; i++) seeded.push({ prompt: `verified ${i}`, semanticCheck: "verification", checkAgreed: true });
  seeded.push({ prompt: "plain miss" });
  return seeded;
}

let local: StartedDashboard | undefined;
let browser: Browser | undefined;

beforeAll(() => seedUsageLog(dbPath, rows()));
afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

describe("shadow and verified results in the dashboard", () => {
  test("/api/summary reports the shadow checks with their agreement rate and 95% interval, and the verification calls", async () => {
    const app = await createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json") });
    try {
      const { body } = await getJson(app, "/api/summary");
      expect(body.verificationCalls).toBe(3);
      expect(body.shadow).toMatchObject({ checks: 40, agreed: 30, agreementRate: 0.75 });
      expect(body.shadow.interval[0]).toBeCloseTo(0.598, 2);
      expect(body.shadow.interval[1]).toBeCloseTo(0.858, 2);
    } finally {
      app.close();
    }
  });

  test.skipIf(!existsSync(CHROMIUM))("the overview shows them in its semantic checks panel", async () => {
    local = await startDashboard("bun", ["--db", dbPath, "--settings", join(dir, "settings.json")], dir);
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${local.origin}/`);
    await page.waitForSelector("body[data-loaded]");
    expect(await page.locator("#semantic-checks").isVisible()).toBe(true);
    const shadow = await page.locator("#shadow-result").textContent();
    expect(shadow).toContain("40 matches checked");
    expect(shadow).toContain("75.0%");
    expect(shadow).toContain("95% interval 59.8%–85.8%");
    expect(await page.locator("#verification-result").textContent()).toContain("3 calls went to the provider");
    expect(errors).toEqual([]);
  });
});
