/**
 * Where the electricity comes from: each provider's data-centre overhead (PUE) and location, and
 * the carbon intensity of electricity grids — a world average by default, a region or the
 * provider's own location on request, or the user's own figure. CO₂e = energy × intensity.
 * @module
 */

import { EcoAIConfigError } from "../errors.ts";
import type { Provider } from "../types.ts";
import type { Factor } from "./energy-factors.ts";

/** A provider's data centres, as EcoLogits models them. */
export interface DataCentre {
  /** Power Usage Effectiveness: facility energy ÷ IT energy. */
  pue: { low: number; high: number };
  /** ISO 3166-1 alpha-3 country the provider's models run in by default. */
  region: string;
  cloud: string;
  source: string;
  asOf: string;
}

const ECOLOGITS_PROVIDERS = "https://ecologits.ai/latest/methodology/llm_inference/#data-center-configuration";

/** Provider data centres (EcoLogits 0.9.1 provider table, from the cloud providers' published PUE). */
export const DATA_CENTRES: Readonly<Record<Provider, DataCentre>> = Object.freeze({
  openai: { pue: { low: 1.2, high: 1.2 }, region: "USA", cloud: "Microsoft Azure", source: ECOLOGITS_PROVIDERS, asOf: "2025-11-13" },
  anthropic: { pue: { low: 1.09, high: 1.14 }, region: "USA", cloud: "AWS and Google Cloud", source: ECOLOGITS_PROVIDERS, asOf: "2025-11-13" },
  gemini: { pue: { low: 1.09, high: 1.09 }, region: "USA", cloud: "Google Cloud", source: ECOLOGITS_PROVIDERS, asOf: "2025-11-13" },
});

const OWID = "https://ourworldindata.org/grapher/carbon-intensity-electricity";
const MIXES = "https://github.com/genai-impact/ecologits/blob/main/ecologits/data/electricity_mixes.csv";

/**
 * The default grid: the world average carbon intensity of electricity generation in 2024,
 * 473 g CO₂e/kWh (Ember's Global Electricity Review 2025, via Our World in Data; the `WOR` mix
 * of EcoLogits' electricity data).
 */
export const WORLD_GRID: Factor & { year: number } = Object.freeze({
  value: 473.01,
  unit: "g CO₂e per kWh",
  source: OWID,
  asOf: "2025-09-08",
  year: 2024,
  note: "Ember Global Electricity Review 2025 via Our World in Data, as compiled in EcoLogits' electricity_mixes.csv",
});

/**
 * Grid carbon intensity by country (ISO 3166-1 alpha-3), g CO₂e/kWh of generation, latest year
 * in Our World in Data as compiled in EcoLogits' electricity data (updated 2025-09-08).
 */
export const GRID_INTENSITY_G_PER_KWH: Readonly<Record<string, number>> = Object.freeze({
  WOR: 473.01,
  AUS: 551.59, AUT: 102.62, BEL: 117.58, BRA: 103.21, CAN: 174.81, CHE: 36.6, CHL: 265.52, CHN: 559.55,
  DEU: 344.14, DNK: 143.3, ESP: 146.15, FIN: 72.25, FRA: 44.18, GBR: 210.89, IDN: 682.43, IND: 708.32,
  IRL: 279.7, ITA: 287.53, JPN: 482.32, KOR: 414.27, MEX: 484.83, MYS: 604.43, NLD: 253.31, NOR: 30.75,
  POL: 614.98, SWE: 35.82, TWN: 635.65, USA: 383.55,
});

/** The source of {@link GRID_INTENSITY_G_PER_KWH}. */
export const GRID_SOURCE = Object.freeze({ source: OWID, via: MIXES, asOf: "2025-09-08" });

/**
 * The resolved CO₂ options (constructor option, `ECOAI_*` variable or settings field, resolved
 * by the caller with that precedence).
 */
export interface FootprintConfig {
  /**
   * Grid carbon intensity in g CO₂e per kWh; wins over `gridRegion`.
   * @example 56 // a data centre on a low-carbon grid
   */
  gridIntensityGPerKwh?: number;
  /**
   * ISO 3166-1 alpha-3 country of the grid (`"FRA"`), `"provider"` for each provider's default
   * data-centre country, or `"WOR"`.
   * @default "WOR"
   */
  gridRegion?: string;
  /**
   * Add the hardware's embodied (manufacturing) emissions, allocated by server time.
   * @default false
   */
  embodiedEmissions?: boolean;
}

/** The grid a figure was computed with. */
export interface GridIntensity {
  gPerKwh: number;
  /** How it was chosen. */
  basis: "user" | "region" | "provider-region" | "world-average";
  region: string | null;
  source: string;
  asOf: string;
}

/**
 * The grid intensity for a call to `provider` under `config`: the user's figure, else the
 * region's, else the world average.
 *
 * @example
 * gridIntensity({}, "openai").gPerKwh;                          // 473.01 (world average, 2024)
 * gridIntensity({ gridRegion: "provider" }, "openai").region;   // "USA"
 * gridIntensity({ gridIntensityGPerKwh: 56 }, "openai").basis;  // "user"
 */
export function gridIntensity(config: FootprintConfig, provider: Provider): GridIntensity {
  if (config.gridIntensityGPerKwh !== undefined) {
    return { gPerKwh: config.gridIntensityGPerKwh, basis: "user", region: null, source: "gridIntensityGPerKwh", asOf: "" };
  }
  const wanted = config.gridRegion?.toUpperCase();
  const region = wanted === "PROVIDER" ? DATA_CENTRES[provider].region : wanted;
  if (region === undefined || region === "WOR") {
    return { gPerKwh: WORLD_GRID.value, basis: "world-average", region: "WOR", source: WORLD_GRID.source, asOf: WORLD_GRID.asOf };
  }
  const value = GRID_INTENSITY_G_PER_KWH[region];
  // Checked values never get here; an unchecked one is named as a constructor option would be.
  if (value === undefined) throw new EcoAIConfigError("gridRegion", config.gridRegion, "constructor option", `expected "provider" or one of ${Object.keys(GRID_INTENSITY_G_PER_KWH).join(", ")} (ISO 3166-1 alpha-3).`);
  return { gPerKwh: value, basis: wanted === "PROVIDER" ? "provider-region" : "region", region, source: GRID_SOURCE.source, asOf: GRID_SOURCE.asOf };
}
