import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";
import { CHROMIUM, launchChromium, openDashboardPage } from "./chromium.ts";
import { startDashboard, type StartedDashboard } from "./start.ts";

// Real calls through EcoAI (a first run: a few calls, tiny amounts), the real `ecoai dashboard`
// command over their log and cache, and Debian's Chromium.
const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts");
const up = useUpstream();
const dir = join(up.dir, "app");
let dashboard: StartedDashboard | undefined;
let elsewhere: StartedDashboard | undefined;
let browser: Browser | undefined;
const problems: string[] = [];
const eco = () => up.eco({ sqlitePath: join(dir, "cache.db"), logPath: join(dir, "usage.db"), settingsPath: join(dir, "settings.json"), semantic: { threshold: 0.9 } });
let app: ReturnType<typeof eco>;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  app = eco();
  await app.chat.completions.create(ask("What is the capital of France?"));
  await app.chat.completions.create(ask("What is the capital of France?"));
  await app.chat.completions.create(ask("What is the capital city of France?"));
  await app.chat.completions.create(ask("Name three prime numbers.", { model: "gpt-4o-mini" }));
  // Rows reach the file within a flush interval; the dashboard reads the file.
  await Bun.sleep(400);
  dashboard = await startDashboard("bun", ["--db", join(dir, "usage.db")], dir);
  elsewhere = await startDashboard("bun", ["--db", join(up.dir, "other-usage.db")], up.dir);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await elsewhere?.stop();
});

function open(path: string, viewport = { width: 1360, height: 900 }, options: { acceptDownloads?: boolean } = {}): Promise<Page> {
  return openDashboardPage(browser!, dashboard!.origin, path, problems, { viewport, ...options });
}

describe.skipIf(!existsSync(CHROMIUM))("the request log in Chromium", () => {
  test("a semantic hit's detail shows the stored prompt that answered and its score, and the cached response", async () => {
    const page = await open("/requests?range=24h");
    const rows = page.locator("#requests-table tbody tr");
    expect(await rows.count()).toBe(4);
    await rows.nth(1).click();
    await page.waitForSelector("#detail[data-loaded]");
    expect(await page.locator("#matched-prompt").textContent()).toBe("What is the capital of France?");
    const score = Number(await page.locator("#semantic-score").textContent());
    const [record] = (await app.history({ limit: 2 })).filter((r) => r.semanticHit);
    expect(score).toBeCloseTo(record!.semanticScore!, 4);
    expect(score).toBeGreaterThan(0.9);
    expect(JSON.parse((await page.locator("#cached-response").textContent())!).choices[0].message.content).toBeString();
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-request-detail.png"), fullPage: true });
    await page.close();
  });

  test("invalidate removes the entry: the next identical call is a miss; from another site it is refused", async () => {
    const [, , exactHit] = await app.history({ limit: 4 });
    expect(exactHit).toMatchObject({ cacheHit: true, semanticHit: false, prompt: "What is the capital of France?" });
    // A page of another origin tries it, as a form or script on any site could: refused, nothing removed.
    const attacker = await browser!.newPage();
    await attacker.goto(`${elsewhere!.origin}/`);
    const status = await attacker.evaluate(async (url) => {
      const form = await fetch(url, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: "{}" }).then((r) => r.type, (e) => String(e));
      const json = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then((r) => String(r.status), (e) => "blocked");
      return [form, json];
    }, `${dashboard!.origin}/api/requests/${exactHit!.id}/invalidate`);
    // Neither gets an answer it can read (the dashboard refuses the one the browser sends, and the
    // browser stops the other at its preflight); what matters is that the entry is still there.
    expect(status).not.toContain("200");
    await attacker.close();
    const before = up.sim.count(CHAT_ROUTE);
    await app.chat.completions.create(ask("What is the capital of France?"));
    expect(up.sim.count(CHAT_ROUTE)).toBe(before);

    const page = await open("/requests?range=24h&outcome=exact");
    await page.locator("#requests-table tbody tr").first().click();
    await page.waitForSelector("#detail[data-loaded]");
    await page.click("#invalidate");
    await page.waitForFunction(() => document.getElementById("invalidate-status")?.textContent?.startsWith("Removed"));
    await page.close();
    await app.chat.completions.create(ask("What is the capital of France?"));
    expect(up.sim.count(CHAT_ROUTE)).toBe(before + 1);
    expect((await app.history({ limit: 1 }))[0]).toMatchObject({ cacheHit: false, prompt: "What is the capital of France?" });
  });

  test("export downloads exactly the filtered rows", async () => {
    await Bun.sleep(400);
    const page = await open("/requests?range=24h&model=gpt-4o&outcome=hit", undefined, { acceptDownloads: true });
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    const csv = readFileSync((await download.path())!, "utf8").trimEnd().split("\r\n");
    const expected = (await app.history()).filter((r) => r.model === "gpt-4o" && r.cacheHit).map((r) => r.id).sort((a, b) => a - b);
    expect(csv.slice(1).map((line) => Number(line.split(",")[0]))).toEqual(expected);
    const [json] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    expect(JSON.parse(readFileSync((await json.path())!, "utf8")).map((r: { id: number }) => r.id)).toEqual(expected);
    await page.close();
  });

  test("each page at desktop and phone width: nothing scrolls sideways, no stat is cut off, tables are cards on the phone", async () => {
    const overflow: Record<string, number> = {};
    for (const [path, name] of [["/?range=24h", "overview"], ["/requests?range=24h", "requests"], ["/prompts", "prompts"], ["/settings", "settings"]] as const) {
      for (const [width, suffix] of [[1360, "desktop"], [390, "phone"]] as const) {
        const page = await open(path, { width, height: 844 });
        overflow[`${name} ${suffix}`] = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        // A stat's text fits its box: nothing hidden by overflow or an ellipsis.
        const cut = await page.evaluate(() => Array.from(document.querySelectorAll(".card .value, .card .sub")).filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent));
        expect(cut).toEqual([]);
        if (suffix === "phone" && name !== "settings") {
          const table = name === "overview" ? "#models-table" : name === "requests" ? "#requests-table" : "#prompts-table";
          expect(await page.locator(`${table} thead`).isVisible()).toBe(false);
          expect(await page.locator(`${table} tbody td[data-label="Calls"], ${table} tbody td[data-label="Latency"]`).first().evaluate((td) => getComputedStyle(td, "::before").content)).not.toBe("none");
        }
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}-${suffix}.png`), fullPage: true });
        await page.close();
      }
    }
    expect(Object.values(overflow).every((px) => px <= 0)).toBe(true);
  });

  test("first-run amounts read as numbers: µ$ and mg, the exact value on hover", async () => {
    const page = await open("/?range=24h", { width: 390, height: 844 });
    const saved = await page.locator("#stat-saved").textContent();
    expect(saved).toMatch(/^[\d.,]+ µ\$$/);
    expect(await page.locator("#stat-saved").getAttribute("title")).toMatch(/^0\.00\d+ USD$/);
    expect(await page.locator("#stat-co2").textContent()).toMatch(/^[\d.,]+ (mg|µg)$/);
    expect(await page.locator("#equivalences").textContent()).toContain("Too little CO₂");
    await page.close();
  });

  test("an empty log says how to get data in", async () => {
    const page = await browser!.newPage();
    await page.goto(`${elsewhere!.origin}/`);
    await page.waitForSelector("body[data-loaded]");
    expect(await page.locator("#empty-log").isVisible()).toBe(true);
    expect(await page.locator("#empty-log").textContent()).toContain("ecoai demo");
    expect(await page.locator("#empty-log").textContent()).toContain("other-usage.db");
    await page.close();
  });

  test("no page logged an error", () => {
    expect(problems).toEqual([]);
  });
});
