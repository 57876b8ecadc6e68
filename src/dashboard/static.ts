import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The dashboard's pages, scripts and styles (plain files, no build step): the `dashboard/` folder
 * at the root of the ecoai package, found by walking up from this module, so it is the same
 * whether this runs from the TypeScript sources or from a built bundle elsewhere in the package.
 */
export const DASHBOARD_ROOT = findDashboardRoot(dirname(fileURLToPath(import.meta.url)));

function findDashboardRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "dashboard", "index.html"))) return join(dir, "dashboard");
    if (dirname(dir) === dir) return join(start, "..", "..", "dashboard");
  }
}

/** Page routes and the file each serves. */
export const PAGES: Readonly<Record<string, string>> = Object.freeze({
  "/": "index.html",
  "/prompts": "prompts.html",
  "/settings": "settings.html",
});

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
});

/**
 * The chart library, from wherever the package manager installed it (beside ecoai in an app's
 * node_modules, or ecoai's own), so the dashboard works offline and with no CDN.
 */
function chartScriptPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("chart.js")), "chart.umd.min.js");
}

function fileResponse(body: Uint8Array<ArrayBuffer>, type: string): Response {
  return new Response(body, { headers: { "content-type": type, "cache-control": "no-cache" } });
}

/**
 * Serves `relative` from the dashboard folder; `undefined` (a 404) for anything outside it, of an
 * unknown type, or missing. The path is decoded once and resolved before the containment check,
 * so `..`, encoded `%2e%2e%2f` and backslashes cannot leave the folder.
 */
export async function serveDashboardFile(relative: string, root: string = DASHBOARD_ROOT): Promise<Response | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const base = resolve(root);
  const path = resolve(base, decoded);
  if (!path.startsWith(base + sep)) return undefined;
  const type = TYPES[extname(path)];
  if (!type) return undefined;
  try {
    return fileResponse(await readFile(path), type);
  } catch {
    return undefined;
  }
}

let chartScript: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** The chart library's browser build. */
export async function serveChartScript(): Promise<Response> {
  chartScript ??= readFile(chartScriptPath());
  return fileResponse(await chartScript, TYPES[".js"]!);
}
