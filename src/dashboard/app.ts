import { openDatabase, type Database } from "../sqlite/database.ts";
import type { StorageType } from "../types.ts";
import { ensureUsageSchema } from "../usage/schema.ts";
import { accessOf, createAccessToken, MISSING_TOKEN, validateAccessToken, withTokenCookie } from "./access.ts";
import { createApi } from "./api.ts";
import { createCacheAccess, type CacheAccess } from "./cache-entries.ts";
import { BadRequest, jsonError, MAX_BODY_BYTES, plainText } from "./http.ts";
import { defaultDbPath, settingsPathBeside } from "./paths.ts";
import { createRollup, type Rollup } from "./rollup.ts";
import { hostRefusal, isLoopback, withSecurityHeaders, type Refusal } from "./security.ts";
import { getSettings, putSettings } from "./settings-api.ts";
import { PAGES, DASHBOARD_ROOT, serveChartScript, serveDashboardFile } from "./static.ts";

export interface DashboardOptions {
  /**
   * The usage log to show.
   * @default process.env.ECOAI_DB_PATH ?? ".ecoai/usage.db"
   */
  dbPath?: string;
  /**
   * The settings file the settings page edits.
   * @default "settings.json" beside the usage log
   */
  settingsPath?: string;
  /**
   * The address the dashboard is served on. On a loopback address (the default) requests
   * addressed to any other host name are refused, so other web pages cannot read the API.
   * Beyond loopback every request must carry the access token (see `token`).
   * @default "127.0.0.1"
   */
  host?: string;
  /**
   * The access token every request must carry (`?token=` on the first page, then a cookie, or
   * `Authorization: Bearer`): 16 to 256 letters, digits, `-` or `_`.
   * @default a random one when `host` is not loopback; none on loopback
   */
  token?: string;
  /**
   * The SQLite cache the logged calls were answered from, for the request detail and "invalidate
   * this entry".
   * @default "cache.db" beside the usage log
   */
  cachePath?: string;
  /** The cache's storage. @default process.env.ECOAI_STORAGE ?? "sqlite" */
  storage?: StorageType;
  /** The Redis cache's URL. @default process.env.ECOAI_REDIS_URL */
  redisUrl?: string;
  /** Folder of the static pages. @default the package's `dashboard/` folder */
  root?: string;
  /** The clock for "now" in time ranges. @default () => new Date() */
  now?: () => Date;
}

/** The dashboard as a request handler: no socket of its own (see `serveDashboard`). */
export interface DashboardApp {
  /** Answers one request, exactly as the server would. */
  handle(request: Request): Promise<Response>;
  readonly dbPath: string;
  readonly settingsPath: string;
  /** The access token requests must carry, or `undefined` when none is needed (loopback). */
  readonly token: string | undefined;
  /**
   * Brings the aggregates up to date now rather than on the first request (the first time over a
   * large existing log reads all of it once: seconds at a million rows).
   */
  prepare(): void;
  /** Closes the usage log and the cache. */
  close(): Promise<void>;
}

/**
 * Builds the dashboard: an Elysia app serving the JSON API and the pages in `dashboard/`. Elysia is
 * loaded here, on first use, so `import { EcoAI } from "ecoai"` never loads it.
 *
 * @example
 * const app = await createDashboardApp({ dbPath: ".ecoai/usage.db" });
 * const summary = await (await app.handle(new Request("http://localhost/api/summary"))).json();
 */
export async function createDashboardApp(options: DashboardOptions = {}): Promise<DashboardApp> {
  const dbPath = options.dbPath ?? defaultDbPath();
  const settingsPath = options.settingsPath ?? settingsPathBeside(dbPath);
  const root = options.root ?? DASHBOARD_ROOT;
  const loopbackOnly = isLoopback(options.host ?? "127.0.0.1");
  const token = options.token !== undefined ? validateAccessToken(options.token, "constructor option") : loopbackOnly ? undefined : createAccessToken();
  const { Elysia } = await import("elysia");

  const now = options.now ?? (() => new Date());
  const db: Database = openDatabase(dbPath);
  let api: ReturnType<typeof createApi>;
  let rollup: Rollup;
  const cache: CacheAccess = createCacheAccess(dbPath, {
    ...(options.cachePath === undefined ? {} : { sqlitePath: options.cachePath }),
    ...(options.storage === undefined ? {} : { storage: options.storage }),
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
  });
  try {
    ensureUsageSchema(db);
    rollup = createRollup(db, now);
    api = createApi(db, rollup, cache, now, dbPath, settingsPath);
  } catch (error) {
    db.close();
    throw error;
  }
  const query = (request: Request) => new URL(request.url).searchParams;

  // Hooks apply to the routes registered after them, so the error mapping comes first.
  const elysia = new Elysia()
    .onError(({ code, error, request }) => {
      if (error instanceof BadRequest || error instanceof RangeError) return jsonError(400, error.message);
      if (code === "NOT_FOUND") return notFound(new URL(request.url).pathname);
      if (code === "PARSE") return jsonError(400, "The request could not be parsed.");
      return internalError(error);
    })
    .get("/api/summary", () => api.summary())
    .get("/api/overview", ({ request }) => api.overview(query(request)))
    .get("/api/timeseries", ({ request }) => api.timeseries(query(request)))
    .get("/api/prompts", ({ request }) => api.prompts(query(request)))
    .get("/api/history", ({ request }) => api.history(query(request)))
    .get("/api/requests", ({ request }) => api.requests(query(request)))
    .get("/api/requests/:id", ({ params }) => api.request(params.id))
    // The body is read by nobody: the origin and content-type checks are what matter.
    .post("/api/requests/:id/invalidate", ({ params, request }) => api.invalidate(params.id, request), { parse: "none" })
    .get("/api/export", ({ request }) => api.export(query(request)))
    .get("/api/pricing", () => api.pricing())
    .get("/api/methodology", () => api.methodology())
    .get("/api/settings", () => getSettings(settingsPath, cache.describe()))
    // The body is read by the handler itself, after the origin and content-type checks.
    .put("/api/settings", ({ request }) => putSettings(settingsPath, request), { parse: "none" })
    .get("/vendor/chart.js", () => serveChartScript())
    .get("/assets/*", async ({ params }) => (await serveDashboardFile(params["*"], root)) ?? notFound("/assets/"));
  for (const [route, file] of Object.entries(PAGES)) {
    elysia.get(route, async () => (await serveDashboardFile(file, root)) ?? notFound(route));
  }

  /** Whom the request is addressed to and whether it holds the token come before any route. */
  async function answer(request: Request): Promise<Response> {
    const misaddressed = hostRefusal(request, loopbackOnly);
    if (misaddressed) return plainText(misaddressed.status, misaddressed.error);
    const access = token === undefined ? undefined : accessOf(request, token);
    if (token !== undefined && access === undefined) return refuse(request, MISSING_TOKEN);
    // Refused unread, whatever the route: none takes more.
    if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return refuse(request, { status: 413, error: `The body is larger than ${MAX_BODY_BYTES} bytes.` });
    const response = await elysia.handle(request);
    const page = request.method === "GET" && Object.hasOwn(PAGES, new URL(request.url).pathname);
    return access === "query" && page ? withTokenCookie(response, request, token!) : response;
  }

  return {
    dbPath,
    settingsPath,
    token,
    async handle(request) {
      try {
        return withSecurityHeaders(await answer(request));
      } catch (error) {
        return withSecurityHeaders(internalError(error));
      }
    },
    prepare: () => rollup.refresh(),
    async close() {
      rollup.close();
      db.close();
      await cache.close();
    },
  };
}

/**
 * An answer to a failure nobody asked for: the cause goes to the operator's terminal, the client
 * learns nothing of the machine (no message, stack or path).
 */
function internalError(error: unknown): Response {
  console.error(`ecoai dashboard: ${error instanceof Error ? error.message : String(error)}`);
  return jsonError(500, "Internal error: the dashboard could not answer this request; its terminal says why.");
}

/** A refusal as the API's JSON or, for a page or an asset, as plain text. */
function refuse(request: Request, refusal: Refusal): Response {
  return new URL(request.url).pathname.startsWith("/api/") ? jsonError(refusal.status, refusal.error) : plainText(refusal.status, refusal.error);
}

function notFound(path: string): Response {
  return path.startsWith("/api/") ? jsonError(404, `No API route ${path}.`) : plainText(404, "Not found");
}
