import type { Database } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";
import { CO2_EQUIVALENCES, DEFAULT_RATES, GRID_KG_CO2_PER_KWH, MODEL_RATES, PRICES_AS_OF, co2Equivalences } from "../usage/pricing.ts";
import { queryHistory } from "../usage/queries.ts";
import { intParam, json, oneOf, textParam } from "./http.ts";
import { PROMPT_FILTERS, PROMPT_SORTS, queryCallsBy, queryPrompts, queryTimeseries, queryTopPrompts } from "./queries.ts";
import type { Rollup } from "./rollup.ts";

const PROVIDERS: readonly Provider[] = ["openai", "anthropic", "gemini"];

/** The JSON API's read routes, over one usage log and its aggregates. */
export function createApi(db: Database, rollup: Rollup, now: () => Date) {
  const current = () => {
    rollup.refresh();
    return rollup;
  };
  return {
    /** `GET /api/summary`: the `UsageSummary` fields, as `eco.summary()` returns them. */
    summary: () => json(current().summary()),

    /** `GET /api/overview`: everything the overview page shows besides the day chart. */
    overview() {
      const summary = current().summary();
      return json({
        summary,
        equivalences: co2Equivalences(summary.co2SavedG),
        byProvider: queryCallsBy<Provider>(db, "provider"),
        topModels: queryCallsBy(db, "model", 10),
        contentTypes: queryCallsBy<PromptType>(db, "prompt_type"),
        topPrompts: queryTopPrompts(db, 8),
      });
    },

    /** `GET /api/timeseries?days=30`: calls and hit rate per UTC day, oldest first. */
    timeseries(params: URLSearchParams) {
      const days = intParam(params, "days", 30, 1, 366);
      current();
      return json({ days: queryTimeseries(db, days, now()) });
    },

    /** `GET /api/prompts?q=&filter=all&sort=recent&page=1`: 25 distinct prompts per page. */
    prompts(params: URLSearchParams) {
      const query = {
        search: textParam(params, "q", 200) ?? "",
        filter: oneOf(params, "filter", PROMPT_FILTERS, "all"),
        sort: oneOf(params, "sort", PROMPT_SORTS, "recent"),
        page: intParam(params, "page", 1, 1, 1_000_000),
      };
      current();
      return json(queryPrompts(db, query));
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

    /** `GET /api/pricing`: the price and CO₂ tables the savings are computed with, and their date. */
    pricing: () =>
      json({
        asOf: PRICES_AS_OF,
        gridKgCo2PerKwh: GRID_KG_CO2_PER_KWH,
        equivalencesKgCo2: CO2_EQUIVALENCES,
        default: DEFAULT_RATES,
        models: Object.entries(MODEL_RATES).map(([prefix, rates]) => ({ prefix, ...rates })),
      }),
  };
}
