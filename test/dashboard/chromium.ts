/**
 * Debian's Chromium driven by playwright-core, as every dashboard browser test uses it.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`); browser tests are skipped where it is absent. */
export const CHROMIUM = "/usr/bin/chromium";

export const hasChromium = existsSync(CHROMIUM);

/** Headless Chromium as this machine allows it: no sandbox (tests may run as root), no GPU, no background connections (the network is closed). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}

export interface DashboardPageOptions {
  viewport?: { width: number; height: number };
  /** @default 8000 */
  timeoutMs?: number;
  acceptDownloads?: boolean;
  /** A console error the test provokes on purpose, not counted as a problem. */
  expectedError?: (text: string) => boolean;
}

/**
 * Opens `origin` + `path` in a new page once the dashboard says it has loaded; every console error
 * and uncaught exception of the page is pushed to `problems`, labelled with `path`.
 */
export async function openDashboardPage(browser: Browser, origin: string, path: string, problems: string[], options: DashboardPageOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1360, height: 900 }, ...(options.acceptDownloads && { acceptDownloads: true }) });
  page.setDefaultTimeout(options.timeoutMs ?? 8000);
  page.on("console", (message) => {
    if (message.type() === "error" && !options.expectedError?.(message.text())) problems.push(`${path}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${path}: ${error.message}`));
  await page.goto(`${origin}${path}`);
  await page.waitForSelector("body[data-loaded]");
  return page;
}
