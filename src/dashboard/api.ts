import type { Database } from "../sqlite/database.ts";
import type { PromptType } from "../types.ts";
import { co2Equivalences } from "../usage/energy-equivalences.ts";
import { describeMethodology } from "../usage/methodology.ts";
import { queryHistory } from "../usage/queries.ts";
import type { CacheAccess } from "./cache-entries.ts";
import { exportResponse, EXPORT_FORMATS } from "./export.ts";
import { parseFilters, PROVIDERS } from "./filters.ts";
import { BadRequest, intParam, json, jsonError, oneOf, textParam } from "./http.ts";
import { queryFacets, queryOverview, querySeries } from "./overview.ts";
import { PROMPT_FILTERS, PROMPT_SORTS, queryPrompts } from "./queries.ts";
import { footprintInUse, methodologyReport, priceRows } from "./methodology.ts";
import { iterateRequests, OUTCOMES, queryRequest, queryRequests, type RequestQuery } from "./requests.ts";
import type { Rollup } from "./rollup.ts";
import { writeRefusal } from "./security.ts";

const PROMPT_TYPES: readonly PromptType[] = ["text", "image", "audio", "file", "tool", "structured", "image_output"];

/** The request-log filters of a query string, shared by the log and its export. */
function requestQuery(params: URLSearchParams, now: Date): Omit<RequestQuery, "limit" | "before"> {
  const query: Omit<RequestQuery, "limit" | "before"> = { filters: parseFilters(params, now), outcome: oneOf(params, "outcome", OUTCOMES, "all") };
  const type = params.get("type") ? oneOf(params, "type", PROMPT_TYPES, "text") : undefined;
  if (type) query.promptType = type;
  const search = textParam(params, "q", 200);
  if (search !== undefined) query.search = search;
  // An empty prompt is a value: the calls logged without prompt text.
  const prompt = textParam(params, "prompt", 200, { emptyIsValue: true });
  if (prompt !== undefined) query.prompt = prompt;
  return query;
}

function requestId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new BadRequest(`a request id is a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** The JSON API's routes over one usage log, its aggregates and its cache. */
export function createApi(db: Database, rollup: Rollup, cache: CacheAccess, now: () => Date, dbPath: string, settingsPath: string) {
  const totals = () => rollup.read((view) => view.summary);
  return {
    /** `GET /api/summary`: the `UsageSummary` fields, as `eco.summary()` returns them, with the grid in use where the dashboard runs. */
    summary: () => json({ ...totals(), methodology: describeMethodology(footprintInUse(settingsPath).config) }),

    /** `GET /api/methodology`: formula, factors with sources and dates, the grid in use and where it came from, totals as ranges. */
    methodology: () => json(methodologyReport(totals(), footprintInUse(settingsPath))),

    /** `GET /api/overview?range=&from=&to=&provider=&model=&namespace=`: everything the overview shows. */
    overview(params: URLSearchParams) {
      const filters = parseFilters(params, now());
      const { overview, facets, all } = rollup.read((view) => ({ overview: queryOverview(db, view.prompts(), filters, view.tail, view.reads), facets: queryFacets(db, view.tail, view.reads), all: view.summary }));
      return json({
        window: filters.window,
        filters: { provider: filters.provider ?? null, model: filters.model ?? null, namespace: filters.namespace ?? null },
        ...overview,
        // Computed from the central estimate, as the methodology panel labels them.
        equivalences: co2Equivalences(overview.totals.co2SavedG),
        unpricedModels: overview.byModel.filter((model) => model.unpricedCalls > 0).map((model) => model.key),
        facets,
        log: { path: dbPath, totalCalls: all.totalCalls },
      });
    },

    /** `GET /api/timeseries?days=30`: calls and hit rate per UTC day, oldest first. */
    timeseries(params: URLSearchParams) {
      const days = intParam(params, "days", 30, 1, 366);
      const range = new URLSearchParams(params);
      const today = now();
      const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - (days - 1) * 86_400_000);
      range.set("range", "custom");
      range.set("from", first.toISOString().slice(0, 10));
      range.set("to", today.toISOString().slice(0, 10));
      const filters = parseFilters(range, today);
      const series = rollup.read((view) => querySeries(db, filters, view.tail, view.reads));
      return json({ days: series.map((s) => ({ day: s.period, calls: s.calls, hits: s.hits, semanticHits: s.semanticHits, hitRate: s.hitRate })) });
    },

    /** `GET /api/prompts?q=&filter=all&sort=recent&page=1` and the overview's filters; a range only when `range` is given. */
    prompts(params: URLSearchParams) {
      const { window, ...dimensions } = parseFilters(params, now());
      const query = {
        search: textParam(params, "q", 200) ?? "",
        filter: oneOf(params, "filter", PROMPT_FILTERS, "all"),
        sort: oneOf(params, "sort", PROMPT_SORTS, "recent"),
        page: intParam(params, "page", 1, 1, 1_000_000),
        filters: params.get("range") ? { window, ...dimensions } : dimensions,
      };
      return json(rollup.read((view) => queryPrompts(view.prompts(), db, query)));
    },

    /** `GET /api/requests?…&outcome=&type=&q=&prompt=&before=&limit=50`: the call log, newest first. */
    requests(params: URLSearchParams) {
      const query = requestQuery(params, now());
      const before = textParam(params, "before", 100);
      const page = { ...query, limit: intParam(params, "limit", 50, 1, 500), ...(before === undefined ? {} : { before }) };
      return json(rollup.read((view) => queryRequests(db, page, view.prompts, view.tail)));
    },

    /** `GET /api/requests/:id`: one call, the cached response when its entry still exists, and which cache that is. */
    async request(rawId: string) {
      const record = queryRequest(db, requestId(rawId));
      if (!record) return jsonError(404, `No logged call has id ${rawId}.`);
      const description = cache.describe();
      let entry = null;
      let entryError: string | undefined;
      if (record.cacheKey && description.available) {
        try {
          const stored = await cache.get(record.cacheKey);
          if (stored) entry = { body: stored.body, createdAt: new Date(stored.createdAt).toISOString(), prompt: stored.prompt, model: stored.model, namespace: stored.namespace };
        } catch (error) {
          entryError = error instanceof Error ? error.message : String(error);
        }
      }
      return json({ record, entry, cache: entryError ? { ...description, available: false, reason: entryError } : description });
    },

    /** `POST /api/requests/:id/invalidate`: removes the cache entry that answered (or was written by) the call. */
    async invalidate(rawId: string, request: Request) {
      const refusal = writeRefusal(request);
      if (refusal) return jsonError(refusal.status, refusal.error);
      const record = queryRequest(db, requestId(rawId));
      if (!record) return jsonError(404, `No logged call has id ${rawId}.`);
      if (!record.cacheKey) return jsonError(409, "This call went straight to the provider: it has no cache entry.");
      const description = cache.describe();
      if (!description.available) return jsonError(409, `The cache cannot be reached: ${description.reason}`);
      const removed = await cache.remove(record.cacheKey);
      return json({ removed, key: record.cacheKey });
    },

    /** `GET /api/export?format=csv|json&…`: every call the request-log filters select, oldest first. */
    export(params: URLSearchParams) {
      const format = oneOf(params, "format", EXPORT_FORMATS, "csv");
      const query = requestQuery(params, now());
      const { from, to } = query.filters.window;
      return exportResponse(iterateRequests(db, query), format, `ecoai-requests-${from.slice(0, 10)}-${to.slice(0, 10)}`);
    },

    /** `GET /api/history?limit=&offset=&from=&to=&model=&provider=`: calls newest first, as `eco.history()`. */
    history(params: URLSearchParams) {
      const from = textParam(params, "from", 40);
      const to = textParam(params, "to", 40);
      const model = textParam(params, "model", 200);
      const provider = params.get("provider") ? oneOf(params, "provider", PROVIDERS, "openai") : undefined;
      const records = queryHistory(db, {
        limit: intParam(params, "limit", 100, 0, 1000),
        offset: intParam(params, "offset", 0, 0, 100_000_000),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(model === undefined ? {} : { model }),
        ...(provider === undefined ? {} : { provider }),
      });
      return json({ records });
    },

    /** `GET /api/pricing`: the dated price table (a source and date per row), per-image prices, and the models deliberately unpriced. */
    pricing: () => json(priceRows()),
  };
}
