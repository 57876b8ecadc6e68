import { constants, existsSync } from "node:fs";
import { lstat, open, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
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
  "/requests": "requests.html",
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
 * Serves `name` from the dashboard folder; `undefined` (a 404) for anything outside it, of an
 * unknown type, missing, or reached through a symbolic link. The path is decoded once and resolved
 * before the containment check, so `..`, encoded `%2e%2e%2f` and backslashes cannot leave the folder.
 */
export async function serveDashboardFile(name: string, root: string = DASHBOARD_ROOT): Promise<Response | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const base = resolve(root);
  const path = resolve(base, decoded);
  if (!path.startsWith(base + sep)) return undefined;
  const extension = extname(path);
  const type = Object.hasOwn(TYPES, extension) ? TYPES[extension] : undefined;
  if (!type) return undefined;
  try {
    const body = await readWithoutLinks(base, path);
    return body && fileResponse(body, type);
  } catch {
    return undefined;
  }
}

/**
 * Reads a regular file below `base`, refusing it when any part of its path below `base` is a
 * symbolic link: a link inside the folder may point anywhere on the machine. (`base` itself may be
 * reached through links, as package managers install packages.)
 */
async function readWithoutLinks(base: string, path: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  let at = base;
  for (const part of relative(base, path).split(sep)) {
    at = join(at, part);
    if ((await lstat(at)).isSymbolicLink()) return undefined;
  }
  // O_NOFOLLOW refuses a link swapped in after the check; O_NONBLOCK keeps a FIFO from hanging the open.
  const file = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    if (!(await file.stat()).isFile()) return undefined;
    return new Uint8Array(await file.readFile());
  } finally {
    await file.close();
  }
}

let chartScript: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** The chart library's browser build. */
export async function serveChartScript(): Promise<Response> {
  chartScript ??= readFile(chartScriptPath());
  return fileResponse(await chartScript, TYPES[".js"]!);
}
