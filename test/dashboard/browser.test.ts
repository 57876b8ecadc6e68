import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { tempDir } from "../temp.ts";
import { CHROMIUM, launchChromium, openDashboardPage } from "./chromium.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";
import { startDashboard, type StartedDashboard } from "./start.ts";

// The real `ecoai dashboard` command, driven by Debian's Chromium.
const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts");
const XSS = `<img src=x onerror="window.__xss = 1"> what does this do?`;

const dir = tempDir();
const dbPath = join(dir, "usage.db");
const settingsPath = join(dir, "settings.json");

function seedRows(): SeedRow[] {
  const rows: SeedRow[] = [];
  const day = 86_400_000;
  const now = Date.now();
  const models = [["openai", "gpt-4o"], ["openai", "gpt-4o-mini"], ["anthropic", "claude-sonnet-4-5"], ["gemini", "gemini-2.5-flash"]] as const;
  const types = ["text", "text", "structured", "tool", "image", "file"] as const;
  for (let i = 0; i < 60; i++) {
    const [provider, model] = models[i % 4]!;
    const prompt = `${i % 2 ? "Summarise the billing" : "Translate the shipping"} notice number ${i} for a customer in plain words`;
    const common = { provider, model, prompt, promptType: types[i % 6]! } as const;
    const timestamp = new Date(now - (i % 20) * day - i * 60_000).toISOString();
    rows.push({ ...common, timestamp, outputTokens: 120 });
    for (let hit = 0; hit < i % 4; hit++) {
      rows.push({ ...common, timestamp, cacheHit: true, semanticHit: hit === 2, tokensSaved: 120, costSavedUsd: 0.0015, co2SavedG: 0.0036 });
    }
  }
  rows.push({ prompt: XSS, timestamp: new Date(now - 1000).toISOString() });
  for (let hit = 0; hit < 5; hit++) {
    rows.push({ prompt: XSS, cacheHit: true, timestamp: new Date(now).toISOString(), tokensSaved: 50, costSavedUsd: 0.0005, co2SavedG: 0.0015 });
  }
  return rows;
}

let local: StartedDashboard | undefined;
let browser: Browser | undefined;
let base = "";
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  seedUsageLog(dbPath, seedRows());
  local = await startDashboard("bun", ["--db", dbPath, "--settings", settingsPath], dir);
  base = local.origin;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

/** Reports every console error and uncaught exception of `page` as a problem. */
function watch(page: Page, path: string): void {
  page.setDefaultTimeout(8000);
  page.on("console", (message) => {
    // The settings test provokes one 400 on purpose (invalid values); anything else is a problem.
    const expected = path === "/settings" && message.text().includes("status of 400");
    if (message.type() === "error" && !expected) problems.push(`${path}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${path}: ${error.message}`));
}

function open(path: string, viewport = { width: 1360, height: 900 }): Promise<Page> {
  // The settings test provokes one 400 on purpose (invalid values); anything else is a problem.
  const expectedError = (text: string) => path === "/settings" && text.includes("status of 400");
  return openDashboardPage(browser!, base, path, problems, { viewport, expectedError });
}

describe.skipIf(!existsSync(CHROMIUM))("dashboard in Chromium (needs /usr/bin/chromium: apt-get install chromium)", () => {
  test("the overview shows the seeded numbers and draws its charts", async () => {
    const page = await open("/");
    const text = (id: string) => page.locator(`#${id}`).textContent();
    expect(await text("stat-calls")).toBe("156");
    expect(await text("stat-hits")).toBe("95");
    expect(await text("stat-split")).toBe("80 exact · 15 semantic");
    expect(await text("stat-rate")).toBe("60.9%");
    expect(await text("stat-tokens")).toBe("11,050");
    expect(await text("stat-saved")).toBe("$0.14");
    // 61 misses at the seed's default cost of $0.000225 each.
    expect(await text("stat-spent")).toBe("$0.01");
    expect(await page.locator("#stat-spent").getAttribute("title")).toBe("0.013725 USD");
    expect(await page.locator("#models-table tbody tr").count()).toBe(4);
    expect(await page.locator("#type-legend li").count()).toBe(5);
    expect(await page.locator("#latency-table tbody tr").count()).toBe(4);
    expect(await page.locator("#top-prompts li").first().textContent()).toContain("5 hits");
    const drawn = await page.evaluate(() => ["money-chart", "rate-chart"].every((id) => (document.getElementById(id) as HTMLCanvasElement).width > 0) && "Chart" in window);
    expect(drawn).toBe(true);
    await page.locator("details").first().evaluate((node) => ((node as HTMLDetailsElement).open = true));
    expect(await page.locator("#price-table tbody tr").count()).toBeGreaterThan(20);
    expect(await page.locator("#prices-asof").textContent()).toMatch(/as of \d{4}-\d{2}-\d{2}/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-overview.png"), fullPage: true });
    await page.close();
  });

  test("the time range and every filter change every card, and stay in the address", async () => {
    const page = await open("/");
    const cards = () => page.locator(".cards .value").allTextContents();
    const all = await cards();
    await page.click('[data-range="7d"]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get("range") === "7d" && document.body.dataset.loaded !== "1");
    await page.waitForFunction((before) => JSON.stringify(Array.from(document.querySelectorAll(".cards .value")).map((n) => n.textContent)) !== before, JSON.stringify(all));
    const week = await cards();
    await page.selectOption("#filter-provider", "anthropic");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("provider") === "anthropic");
    await page.waitForFunction((before) => JSON.stringify(Array.from(document.querySelectorAll(".cards .value")).map((n) => n.textContent)) !== before, JSON.stringify(week));
    const anthropic = await cards();
    // Every card moved with the filters (the rate too: the seed's hits differ by provider and day).
    for (let i = 0; i < all.length; i++) expect(`${i}: ${all[i]} → ${week[i]} → ${anthropic[i]}`).not.toBe(`${i}: ${all[i]} → ${all[i]} → ${all[i]}`);
    expect(await page.locator("#models-table tbody tr").count()).toBe(1);
    expect(await page.locator("#provider-legend li").count()).toBe(1);
    // A reloaded address shows the same view.
    await page.reload();
    await page.waitForSelector("body[data-loaded]");
    expect(await cards()).toEqual(anthropic);
    expect(await page.locator("#filter-provider").inputValue()).toBe("anthropic");
    await page.close();
  });

  test("the prompts page searches, filters and pages", async () => {
    const page = await open("/prompts");
    const rows = page.locator("#prompts-table tbody tr");
    expect(await rows.count()).toBe(25);
    expect(await page.locator("#page-info").textContent()).toBe("Page 1 of 3 · 61 prompts");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-prompts.png"), fullPage: true });
    await page.click("#next");
    await page.waitForFunction(() => document.getElementById("page-info")?.textContent?.startsWith("Page 2 of 3"));
    expect(await rows.count()).toBe(25);
    await page.click("#next");
    await page.waitForFunction(() => document.getElementById("page-info")?.textContent?.startsWith("Page 3 of 3"));
    expect(await rows.count()).toBe(11);
    expect(await page.locator("#next").isDisabled()).toBe(true);

    await page.fill("#search", "BILLING");
    await page.waitForFunction(() => document.getElementById("page-info")?.textContent === "Page 1 of 2 · 30 prompts");
    await page.click('[data-filter="tool"]');
    await page.waitForFunction(() => document.getElementById("page-info")?.textContent === "Page 1 of 1 · 10 prompts");
    for (const cell of await page.locator("#prompts-table tbody tr td:nth-child(2)").allTextContents()) expect(cell).toBe("Tool");
    await page.click('[data-filter="semantic"]');
    await page.waitForFunction(() => document.getElementById("page-info")?.textContent === "Page 1 of 1 · 15 prompts");
    expect(page.url()).toContain("filter=semantic");
    await page.fill("#search", "zzz-nothing");
    await page.waitForSelector("#empty:not([hidden])");
    await page.close();
  });

  test("an address with a page past the end or an unknown filter still shows prompts", async () => {
    const page = await open("/prompts?filter=bogus&page=9");
    expect(await page.locator("#page-info").textContent()).toBe("Page 3 of 3 · 61 prompts");
    expect(await page.locator("#prompts-table tbody tr").count()).toBe(11);
    expect(await page.locator('[data-filter="all"]').getAttribute("aria-checked")).toBe("true");
    expect(await page.locator("#error").isHidden()).toBe(true);
    expect(new URL(page.url()).search).toBe("?page=3");
    await page.close();
  });

  test("a prompt holding HTML appears as text and runs nothing", async () => {
    const page = await open("/prompts?q=onerror");
    const cell = page.locator("#prompts-table tbody tr td.prompt-cell .prompt-text");
    expect(await cell.count()).toBe(1);
    expect(await cell.textContent()).toBe(XSS);
    expect(await page.locator("#prompts-table img").count()).toBe(0);
    const overview = await open("/");
    expect(await overview.locator("#top-prompts img").count()).toBe(0);
    expect(await overview.locator("#top-prompts").textContent()).toContain("<img src=x onerror=");
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await overview.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await page.close();
    await overview.close();
  });

  test("the settings form saves, shows validation errors, and refuses nothing it should accept", async () => {
    const page = await open("/settings");
    expect(await page.locator("#settings-path").textContent()).toBe(settingsPath);
    expect(await page.inputValue("#ttl")).toBe("3600");
    // In dev mode entries never expire: the TTL does nothing, and says so.
    expect(await page.isDisabled("#ttl")).toBe(true);
    expect(await page.locator("#ttl").locator("xpath=ancestor::div[contains(@class,'field')]").locator(".disabled-reason").textContent()).toContain("Dev mode");
    expect(await page.locator('[data-source="mode"]').textContent()).toContain("Not in the file");
    await page.selectOption("#mode", "prod");
    expect(await page.isDisabled("#ttl")).toBe(false);
    await page.fill("#ttl", "-5");
    await page.check("#semanticEnabled");
    await page.fill("#semanticThreshold", "1.5");
    await page.click("#save");
    await page.waitForSelector(".field.invalid");
    expect(await page.locator('[data-for="ttl"]').textContent()).toBe("Expected a number of seconds ≥ 0.");
    expect(await page.locator('[data-for="semanticThreshold"]').textContent()).toBe("Expected a number from 0 to 1.");
    expect(await page.locator("#status").textContent()).toContain("nothing was saved");
    expect(existsSync(settingsPath)).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-settings-errors.png"), fullPage: true });

    await page.fill("#ttl", "600");
    await page.fill("#semanticThreshold", "0.9");
    await page.uncheck("#semanticEnabled");
    await page.uncheck("#cachingEnabled");
    expect(await page.isDisabled("#mode")).toBe(true);
    await page.click("#save");
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "Saved.");
    expect(await page.locator(".field.invalid").count()).toBe(0);
    expect(JSON.parse(readFileSync(settingsPath, "utf8"))).toEqual({ cachingEnabled: false, mode: "prod", ttl: 600, semanticEnabled: false, semanticThreshold: 0.9 });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-settings.png"), fullPage: true });

    expect(await page.locator('[data-source="mode"]').textContent()).toContain("Set in the settings file");
    // Text a number field cannot hold (the browser reports it as empty) is an error, not "clear the setting".
    await page.check("#cachingEnabled");
    await page.fill("#ttl", "");
    await page.locator("#ttl").pressSequentially("12e");
    await page.click("#save");
    await page.waitForSelector(".field.invalid");
    expect(await page.locator('[data-for="ttl"]').textContent()).toBe("Enter a number.");
    expect(JSON.parse(readFileSync(settingsPath, "utf8")).ttl).toBe(600);

    await page.reload();
    await page.waitForSelector("body[data-loaded]");
    expect(await page.inputValue("#ttl")).toBe("600");
    expect(await page.isChecked("#cachingEnabled")).toBe(false);
    expect(await page.isDisabled("#semanticThreshold")).toBe(true);
    await page.close();
  });

  test("at a phone's width every page fits: nothing runs off the side", async () => {
    const overflows: Record<string, number> = {};
    for (const [path, name] of [["/", "overview"], ["/prompts", "prompts"], ["/settings", "settings"]] as const) {
      const page = await open(path, { width: 400, height: 800 });
      overflows[path] = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (path === "/prompts") {
        // A table wider than the screen scrolls sideways inside its panel (none of it is cut off), and
        // the prompt column stays wide enough to read.
        const table = await page.evaluate(() => {
          const table = document.getElementById("prompts-table")!;
          const box = table.parentElement!;
          return {
            reachable: table.scrollWidth <= box.clientWidth || ["auto", "scroll"].includes(getComputedStyle(box).overflowX),
            promptWidth: table.querySelector("td.prompt-cell")!.getBoundingClientRect().width,
          };
        });
        expect(table.reachable).toBe(true);
        expect(table.promptWidth).toBeGreaterThan(160);
      }
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}-narrow.png`), fullPage: true });
      await page.close();
    }
    expect(overflows).toEqual({ "/": 0, "/prompts": 0, "/settings": 0 });
  });

  describe("bound beyond loopback, over a log whose names are those every object has", () => {
    const openDir = tempDir();
    const openDb = join(openDir, "usage.db");
    let remote: StartedDashboard;
    let context: BrowserContext;

    beforeAll(async () => {
      const names = { provider: "constructor", model: "__proto__", promptType: "toString", prompt: "valueOf" } as unknown as SeedRow;
      seedUsageLog(openDb, [names, { ...names, cacheHit: true }, { prompt: "An ordinary question", cacheHit: true }]);
      remote = await startDashboard("bun", ["--db", openDb, "--host", "0.0.0.0"], openDir);
      context = await browser!.newContext({ viewport: { width: 1360, height: 900 } });
    });
    afterAll(async () => {
      await context?.close();
      await remote?.stop();
    });

    test("the printed address opens every page, and the token leaves the address bar", async () => {
      const page = await context.newPage();
      watch(page, "/ (with token)");
      await page.goto(remote.address);
      await page.waitForSelector("body[data-loaded]");
      expect(page.url()).toBe(`${remote.origin}/`);
      expect(await page.locator("#stat-calls").textContent()).toBe("3");
      expect(await page.evaluate(() => "Chart" in window)).toBe(true);
      await page.click('nav a[href="/prompts"]');
      await page.waitForSelector("body[data-loaded]");
      expect(await page.locator("#prompts-table tbody tr").count()).toBe(2);
      await page.click('nav a[href="/settings"]');
      await page.waitForSelector("body[data-loaded]");
      await page.selectOption("#mode", "prod");
      await page.click("#save");
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "Saved.");
      expect(JSON.parse(readFileSync(join(openDir, "settings.json"), "utf8")).mode).toBe("prod");
      await page.close();
    });

    test("the address opened from a link on another site (a chat, a wiki) loads too", async () => {
      // 127.0.0.1 and localhost are different sites: the navigation is cross-site, as from a chat app.
      const elsewhere = await context.newPage();
      watch(elsewhere, "/ (from another site)");
      await elsewhere.goto(`${base}/`);
      const target = remote.address.replace("127.0.0.1", "localhost");
      await elsewhere.evaluate((href) => {
        const link = document.createElement("a");
        link.href = href;
        link.id = "shared-link";
        link.textContent = "dashboard";
        document.body.append(link);
      }, target);
      await elsewhere.click("#shared-link");
      await elsewhere.waitForSelector("body[data-loaded]");
      expect(elsewhere.url()).toBe(`${new URL(target).origin}/`);
      expect(await elsewhere.locator("#stat-calls").textContent()).toBe("3");
      await elsewhere.close();
    });

    test("a browser without the token gets a 401 and no data", async () => {
      const stranger = await browser!.newPage();
      for (const path of ["/", "/prompts", "/api/prompts", "/assets/overview.js"]) {
        const response = await stranger.goto(`${remote.origin}${path}`);
        expect(`${path} → ${response!.status()}`).toBe(`${path} → 401`);
        const text = await stranger.locator("body").textContent();
        expect(text).toContain("access token");
        expect(text).not.toContain("valueOf");
      }
      await stranger.close();
    });

    test("a provider, model or prompt type named constructor, __proto__ or toString shows as that text", async () => {
      const overview = await context.newPage();
      watch(overview, "/ (names)");
      await overview.goto(`${remote.origin}/`);
      await overview.waitForSelector("body[data-loaded]");
      expect(await overview.locator("#models-table tbody").textContent()).toContain("__proto__");
      expect(await overview.locator("#provider-legend").textContent()).toContain("constructor 2 calls");
      expect(await overview.locator("#type-legend").textContent()).toContain("toString ");
      expect(await overview.locator("#top-prompts").textContent()).toContain("__proto__ · constructor ·");
      const prompts = await context.newPage();
      watch(prompts, "/prompts (names)");
      await prompts.goto(`${remote.origin}/prompts?q=valueOf`);
      await prompts.waitForSelector("body[data-loaded]");
      const cells = await prompts.locator("#prompts-table tbody tr").first().locator("td").allTextContents();
      expect(cells.slice(0, 3)).toEqual(["valueOf", "toString", "__proto__constructor"]);
      for (const page of [overview, prompts]) {
        const text = await page.locator("body").textContent();
        expect(text).not.toContain("[native code]");
        expect(text).not.toContain("function ");
        await page.close();
      }
    });
  });

  test("no page logged an error or a Content-Security-Policy violation", () => {
    expect(problems).toEqual([]);
  });
});
