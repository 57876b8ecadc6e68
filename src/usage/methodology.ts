/**
 * The method as data: formula, every factor with its source and date, the grid in use, the
 * scenarios behind each range, the published figures it is checked against, and its limits —
 * what the dashboard's methodology panel and the README render. Versioned: every figure records
 * the {@link METHODOLOGY_VERSION} that computed it.
 * @module
 */

import type { Provider } from "../types.ts";
import { EQUIVALENCE_FACTORS } from "./energy-equivalences.ts";
import { BATCH_SIZE, EMBODIED, EPOCH_LONG_INPUT, GPU_ENERGY, IMAGE_ENERGY_WH, LATENCY, PREFILL, SCENARIOS, SERVER, WEIGHT_BITS, type Factor, type Scenario } from "./energy-factors.ts";
import { DATA_CENTRES, GRID_INTENSITY_G_PER_KWH, GRID_SOURCE, gridIntensity, WORLD_GRID, type DataCentre, type FootprintConfig, type GridIntensity } from "./energy-grid.ts";
import { PRICE_TABLE, PRICES_AS_OF, UNPRICED_MODELS } from "./price-table.ts";

/**
 * Version of the savings method. 1: output tokens × a per-model CO₂ factor at 0.45 kg/kWh, one
 * number, default price for unknown models. 2: energy ranges (EcoLogits decode, Epoch AI
 * prefill, per-image energy), grid intensity, dated prices with unpriced models flagged.
 */
export const METHODOLOGY_VERSION = 2;

/** Date the method and its factors were last reviewed. */
export const METHODOLOGY_AS_OF = "2026-11-29";

/** A factor as the methodology panel lists it. */
export interface NamedFactor extends Factor {
  name: string;
}

/** A published per-request figure the method is checked against (sanity-band tests). */
export interface PublishedFigure {
  what: string;
  wh: number | string;
  source: string;
  asOf: string;
}

/** Everything the methodology panel shows. */
export interface Methodology {
  version: number;
  asOf: string;
  formula: { energy: string[]; co2e: string; cost: string; range: string };
  scenarios: { scenario: Scenario; activeParams: string; batchSize: number; weightBits: number; pue: string; imageWh: number }[];
  factors: NamedFactor[];
  grid: { inUse: Record<Provider, GridIntensity>; worldAverage: Factor & { year: number }; regionsGPerKwh: Readonly<Record<string, number>>; source: string; asOf: string };
  dataCentres: Readonly<Record<Provider, DataCentre>>;
  embodied: { enabled: boolean; factors: NamedFactor[] };
  prices: { asOf: string; families: number; unpricedFamilies: number; unknownModels: string };
  equivalences: NamedFactor[];
  publishedFigures: PublishedFigure[];
  limitations: string[];
  previousVersions: { version: number; description: string }[];
}

const named = (name: string, f: Factor): NamedFactor => ({ name, ...f });

/** Published per-request energy figures for text models, against which the method is checked. */
export const PUBLISHED_FIGURES: readonly PublishedFigure[] = Object.freeze([
  { what: "median Gemini Apps text prompt (Google, measured in production)", wh: 0.24, source: "https://arxiv.org/abs/2508.15734", asOf: "2025-08-21" },
  { what: "typical GPT-4o query, ~500 output tokens (Epoch AI)", wh: 0.3, source: "https://epoch.ai/gradient-updates/how-much-energy-does-chatgpt-use", asOf: "2025-02-07" },
  { what: "average ChatGPT query (OpenAI, Sam Altman)", wh: 0.34, source: "https://blog.samaltman.com/the-gentle-singularity", asOf: "2025-06-10" },
  { what: "short GPT-4o prompt, 100 in / 300 out tokens (Jegham et al. 2025)", wh: 0.42, source: "https://arxiv.org/abs/2505.09598", asOf: "2025-05-14" },
  { what: "GPT-4o query with 10,000 input tokens (Epoch AI)", wh: 2.5, source: "https://epoch.ai/gradient-updates/how-much-energy-does-chatgpt-use", asOf: "2025-02-07" },
  { what: "GPT-4o query with 100,000 input tokens (Epoch AI)", wh: 40, source: "https://epoch.ai/gradient-updates/how-much-energy-does-chatgpt-use", asOf: "2025-02-07" },
  { what: "long o3 prompt, 10k in / 1.5k out plus reasoning (Jegham et al. 2025; over 33 Wh in its May 2025 version)", wh: "over 29", source: "https://arxiv.org/abs/2505.09598", asOf: "2025-05-14" },
]);

/**
 * The method in force, with the grid each provider's calls are computed with under `config`.
 *
 * @example
 * const m = describeMethodology({ gridRegion: "FRA" });
 * m.grid.inUse.openai.gPerKwh; // 44.18
 * m.factors.find((f) => f.name === "GPU energy α")?.source; // the EcoLogits source file
 */
export function describeMethodology(config: FootprintConfig = {}): Methodology {
  const providers = Object.keys(DATA_CENTRES) as Provider[];
  return {
    version: METHODOLOGY_VERSION,
    asOf: METHODOLOGY_AS_OF,
    formula: {
      energy: [
        "E (Wh) = PUE × (E_decode,GPU + E_decode,server + E_prefill + E_images)",
        "E_decode,GPU = T_gen × (α·e^(β·B)·P_active + γ) × N_GPU   (EcoLogits, fitted on ML.ENERGY; T_gen = output tokens, reasoning included)",
        "E_decode,server = T_gen × (α_L·P_active + β_L·B + γ_L) s / 3600 × 1.2 kW × N_GPU/8 / B",
        "E_prefill = P_active × (a·(T_in − T_cached) + b·(T_in² − T_cached²))   (fitted to Epoch AI's long-input estimates)",
        "N_GPU = 2^⌈log₂⌈1.2 × P_total × bits/8 / 80 GB⌉⌉",
        "E_images = images × energy per image",
      ],
      co2e: "CO₂e (g) = E (kWh) × grid intensity (g CO₂e/kWh) [+ embodied: generation time / (B × 3 years) × (N_GPU/8 × 5,700 kg + N_GPU × 164 kg), when enabled]",
      cost: "USD = (fresh input × input + cache reads × cached + cache writes × write + visible output × output + reasoning × reasoning) / 1M, or per image; long-context rates above the row's threshold. A hit saves that cost with its cache writes priced as cache reads (the call it avoided would have found them cached), less the embedding of a semantic lookup; CO₂e saved is net of the embedding's high estimate",
      range: "every figure is computed three times: low (small end of the model size, batch 256, 8-bit, lowest PUE), central (midpoint size, batch 128, 8-bit, mid PUE), high (large end, batch 64, 16-bit, highest PUE — EcoLogits' own defaults)",
    },
    scenarios: SCENARIOS.map((scenario) => ({
      scenario,
      activeParams: scenario === "central" ? "midpoint of the model's range" : `${scenario} end of the model's range`,
      batchSize: BATCH_SIZE[scenario].value,
      weightBits: WEIGHT_BITS[scenario].value,
      pue: scenario === "central" ? "midpoint of the provider's range" : `${scenario} end of the provider's range`,
      imageWh: IMAGE_ENERGY_WH[scenario].value,
    })),
    factors: [
      named("GPU energy α", GPU_ENERGY.alpha),
      named("GPU energy β", GPU_ENERGY.beta),
      named("GPU energy γ", GPU_ENERGY.gamma),
      named("latency α_L", LATENCY.alpha),
      named("latency β_L", LATENCY.beta),
      named("latency γ_L", LATENCY.gamma),
      named("server power", SERVER.powerW),
      named("GPUs per server", SERVER.gpus),
      named("GPU memory", SERVER.gpuMemoryGb),
      named("memory overhead", SERVER.memoryOverhead),
      ...SCENARIOS.map((s) => named(`batch size (${s})`, BATCH_SIZE[s])),
      ...SCENARIOS.map((s) => named(`bits per weight (${s})`, WEIGHT_BITS[s])),
      named("Epoch: active parameters of GPT-4o", EPOCH_LONG_INPUT.activeParamsB),
      named("Epoch: typical query", EPOCH_LONG_INPUT.shortQueryWh),
      named("Epoch: 10k-token input", EPOCH_LONG_INPUT.at10kWh),
      named("Epoch: 100k-token input", EPOCH_LONG_INPUT.at100kWh),
      named("Epoch: PUE", EPOCH_LONG_INPUT.pue),
      { name: "prefill a", value: PREFILL.linearWhPerTokenPerB, unit: "Wh per input token per billion active parameters", source: EPOCH_LONG_INPUT.at10kWh.source, asOf: EPOCH_LONG_INPUT.at10kWh.asOf, note: "derived from Epoch AI's long-input points" },
      { name: "prefill b", value: PREFILL.quadraticWhPerToken2PerB, unit: "Wh per input token² per billion active parameters", source: EPOCH_LONG_INPUT.at10kWh.source, asOf: EPOCH_LONG_INPUT.at10kWh.asOf, note: "derived from Epoch AI's long-input points" },
      ...SCENARIOS.map((s) => named(`image energy (${s})`, IMAGE_ENERGY_WH[s])),
    ],
    grid: {
      inUse: Object.fromEntries(providers.map((p) => [p, gridIntensity(config, p)])) as Record<Provider, GridIntensity>,
      worldAverage: WORLD_GRID,
      regionsGPerKwh: GRID_INTENSITY_G_PER_KWH,
      source: GRID_SOURCE.source,
      asOf: GRID_SOURCE.asOf,
    },
    dataCentres: DATA_CENTRES,
    embodied: {
      enabled: config.embodiedEmissions === true,
      factors: [named("server without GPUs", EMBODIED.serverKgCo2e), named("GPU", EMBODIED.gpuKgCo2e), named("hardware lifetime", EMBODIED.lifetimeYears)],
    },
    prices: {
      asOf: PRICES_AS_OF,
      families: Object.keys(PRICE_TABLE).length,
      unpricedFamilies: Object.keys(UNPRICED_MODELS).length,
      unknownModels: "a model in neither list is reported unpriced, never given a default price; the `pricing` option prices it",
    },
    equivalences: Object.entries(EQUIVALENCE_FACTORS).map(([name, f]) => named(name, f)),
    publishedFigures: [...PUBLISHED_FIGURES],
    limitations: [
      "closed models' sizes are estimates (EcoLogits); newer families take their family's size, and tiers above a flagship take the largest class EcoLogits publishes",
      "the decode fit comes from H100 GPUs serving open models with vLLM; TPUs and newer GPUs are not modelled separately",
      "prefill follows Epoch AI's GPT-4o estimate scaled by active parameters; decode attention over a long context is not added",
      "image energy comes from measurements of open diffusion models; closed image models publish none",
      "idle capacity, networking, storage and training are outside the boundary",
      "the grid default is the world average; providers' market-based claims (renewable purchases) are not used",
    ],
    previousVersions: [
      { version: 1, description: "CO₂ = output tokens × a per-model-class factor (kg CO₂ per 1k output tokens at 0.45 kg CO₂/kWh); one number, no range; unknown models at a default price" },
    ],
  };
}
