/**
 * What the dashboard says about how its figures are computed: the CO₂ options in force where it
 * runs (its environment, then the settings file, then the defaults) and where each came from,
 * the method as data, the totals as ranges, and the price table with a source and date per row.
 * @module
 */
import type { ConfigSource } from "../errors.ts";
import { loadSettings } from "../settings.ts";
import type { UsageSummary } from "../types.ts";
import { gridIntensity, WORLD_GRID, type GridIntensity } from "../usage/energy-grid.ts";
import { FOOTPRINT_ENV, resolveFootprint, type ResolvedFootprint } from "../usage/footprint-config.ts";
import { IMAGE_PRICE_ROWS } from "../usage/image-pricing.ts";
import { describeMethodology } from "../usage/methodology.ts";
import { PRICE_TABLE, PRICES_AS_OF, rowOn, UNPRICED_MODELS } from "../usage/price-table.ts";

/** The CO₂ options as the dashboard's environment and the settings file set them; a bad field in the file is skipped. */
export function footprintInUse(settingsPath: string, env: Record<string, string | undefined> = process.env): ResolvedFootprint {
  const settings = loadSettings(settingsPath).settings ?? {};
  try {
    return resolveFootprint({}, env, settings, settingsPath);
  } catch {
    // An unusable ECOAI_* variable where the dashboard runs: the file and defaults still apply.
    return resolveFootprint({}, {}, settings, settingsPath);
  }
}

/** The grid the figures of new rows are computed with, in words a reader can check. */
export interface GridInUse extends GridIntensity {
  /** Which option set it and from where; `"default"` for the world average. */
  setBy: { option: string; source: ConfigSource } | "default";
  /** The environment variable and settings field that change it. */
  variables: typeof FOOTPRINT_ENV;
  defaultGPerKwh: number;
}

/**
 * The grid in use for OpenAI calls (every provider, unless `gridRegion: "provider"` is set; the
 * methodology lists each provider's), with where it came from.
 *
 * @example
 * describeGridInUse(footprintInUse(".ecoai/settings.json")).setBy; // "default"
 */
export function describeGridInUse(resolved: ResolvedFootprint): GridInUse {
  const { config, sources } = resolved;
  const option = config.gridIntensityGPerKwh !== undefined ? "gridIntensityGPerKwh" : config.gridRegion !== undefined ? "gridRegion" : undefined;
  const source = option && sources[option];
  return {
    ...gridIntensity(config, "openai"),
    setBy: option && source ? { option, source } : "default",
    variables: FOOTPRINT_ENV,
    defaultGPerKwh: WORLD_GRID.value,
  };
}

/** The price table as of today, one row per model family, with its source and date. */
export function priceRows() {
  const today = new Date().toISOString().slice(0, 10);
  return {
    asOf: PRICES_AS_OF,
    models: Object.entries(PRICE_TABLE).map(([prefix, entry]) => {
      const row = rowOn(entry, today);
      return {
        prefix,
        provider: row.provider,
        input: row.input,
        cachedInput: row.cachedInput,
        cacheWrite: row.cacheWrite,
        output: row.output,
        reasoning: row.reasoning ?? row.output,
        source: row.via ?? row.source,
        asOf: row.asOf,
        ...(row.longContext ? { longContext: row.longContext } : {}),
        ...(row.note ? { note: row.note } : {}),
      };
    }),
    images: Object.entries(IMAGE_PRICE_ROWS).map(([prefix, row]) => ({ prefix, prices: row.prices, source: row.via ?? row.source, asOf: row.asOf })),
    unpriced: Object.entries(UNPRICED_MODELS).map(([prefix, entry]) => ({ prefix, reason: entry.reason })),
  };
}

/** `GET /api/methodology`: the method, the grid in use and where it came from, the totals as ranges. */
export function methodologyReport(summary: UsageSummary, resolved: ResolvedFootprint) {
  return {
    methodology: describeMethodology(resolved.config),
    grid: describeGridInUse(resolved),
    embodiedEmissions: { enabled: resolved.config.embodiedEmissions === true, setBy: resolved.sources.embodiedEmissions ?? "default" },
    totals: {
      ...summary.footprint,
      co2SavedG: summary.co2SavedG,
      totalCalls: summary.totalCalls,
      unpricedCalls: summary.unpricedCalls,
      unpricedModels: summary.unpricedModels,
    },
  };
}
