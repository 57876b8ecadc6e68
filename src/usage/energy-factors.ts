/**
 * Every factor of the energy model, with its source and date. The model itself is in
 * `energy.ts`; the model sizes in `energy-models.ts`; data-centre and grid factors in
 * `energy-grid.ts`.
 * @module
 */

/** A number with its unit, where it was published, and when. */
export interface Factor {
  value: number;
  unit: string;
  source: string;
  /** Date of the publication or release the value was read from. */
  asOf: string;
  note?: string;
}

/** low / central / high: the three scenarios every figure is computed under. */
export type Scenario = "low" | "central" | "high";
export const SCENARIOS: readonly Scenario[] = ["low", "central", "high"];

/** A value under each scenario. */
export type Range = Readonly<Record<Scenario, number>>;

const ECOLOGITS_CODE = "https://github.com/genai-impact/ecologits/blob/main/ecologits/impacts/llm.py";
const ECOLOGITS_DOCS = "https://ecologits.ai/latest/methodology/llm_inference/";
const ECOLOGITS_DATE = "2025-11-13"; // EcoLogits 0.9.1
const EPOCH = "https://epoch.ai/gradient-updates/how-much-energy-does-chatgpt-use";

function factor(value: number, unit: string, source: string, asOf: string, note?: string): Factor {
  return Object.freeze(note === undefined ? { value, unit, source, asOf } : { value, unit, source, asOf, note });
}

/**
 * EcoLogits' fit of GPU energy per output token to the ML.ENERGY leaderboard (vLLM on H100 80GB,
 * batch ≤ 512, models ≤ 200B): f_E(P, B) = α·e^(β·B)·P + γ Wh per token per GPU, P the active
 * parameters in billions, B the batch size.
 */
export const GPU_ENERGY = Object.freeze({
  alpha: factor(1.1665273170451914e-6, "Wh per token per GPU per billion active parameters", ECOLOGITS_CODE, ECOLOGITS_DATE, "fitted on ML.ENERGY leaderboard measurements (arXiv:2505.06371)"),
  beta: factor(-0.011205921025579175, "per request in the batch", ECOLOGITS_CODE, ECOLOGITS_DATE),
  gamma: factor(4.052928146734005e-5, "Wh per token per GPU", ECOLOGITS_CODE, ECOLOGITS_DATE),
});

/** EcoLogits' fit of generation latency per output token: f_L(P, B) = α·P + β·B + γ seconds. */
export const LATENCY = Object.freeze({
  alpha: factor(6.785088094353663e-4, "s per token per billion active parameters", ECOLOGITS_CODE, ECOLOGITS_DATE),
  beta: factor(3.119310311688259e-4, "s per token per request in the batch", ECOLOGITS_CODE, ECOLOGITS_DATE),
  gamma: factor(1.9473717579473387e-2, "s per token", ECOLOGITS_CODE, ECOLOGITS_DATE),
});

/** The server EcoLogits models: an AWS p5.48xlarge (8 × H100 80GB), power from BoaviztAPI. */
export const SERVER = Object.freeze({
  powerW: factor(1200, "W, server without its GPUs", ECOLOGITS_DOCS, ECOLOGITS_DATE, "p5.48xlarge average power, BoaviztAPI"),
  gpus: factor(8, "GPUs installed per server", ECOLOGITS_DOCS, ECOLOGITS_DATE),
  gpuMemoryGb: factor(80, "GB per GPU (NVIDIA H100 80GB)", ECOLOGITS_DOCS, ECOLOGITS_DATE),
  memoryOverhead: factor(1.2, "× the weights' size", ECOLOGITS_DOCS, ECOLOGITS_DATE, "EleutherAI, Transformer Math 101"),
});

/**
 * Batch size, the largest lever on energy per token. EcoLogits fixes B = 64 and plots its fit at
 * 64, 128 and 256; production servers batch more, never less, so 64 is the high-energy end.
 */
export const BATCH_SIZE: Readonly<Record<Scenario, Factor>> = Object.freeze({
  low: factor(256, "concurrent requests", ECOLOGITS_DOCS, ECOLOGITS_DATE, "the largest batch EcoLogits plots its fit at"),
  central: factor(128, "concurrent requests", ECOLOGITS_DOCS, ECOLOGITS_DATE, "the middle batch EcoLogits plots its fit at"),
  high: factor(64, "concurrent requests", ECOLOGITS_DOCS, ECOLOGITS_DATE, "EcoLogits' fixed batch size"),
});

/**
 * Bits per weight, which sets how many GPUs hold the model. EcoLogits assumes 16; H100s serve
 * FP8 natively, and Epoch AI notes inference could use FP8.
 */
export const WEIGHT_BITS: Readonly<Record<Scenario, Factor>> = Object.freeze({
  low: factor(8, "bits per weight", EPOCH, "2025-02-07", "FP8 serving on H100"),
  central: factor(8, "bits per weight", EPOCH, "2025-02-07", "FP8 serving on H100"),
  high: factor(16, "bits per weight", ECOLOGITS_CODE, ECOLOGITS_DATE, "EcoLogits' default quantization"),
});

/**
 * Epoch AI's estimates for long inputs on GPT-4o (100B active parameters, PUE 1.2): a typical
 * query 0.3 Wh, one with 10k input tokens ≈ 2.5 Wh, 100k ≈ 40 Wh. The prefill term is the curve
 * a·T + b·T² through the two long-input points above the short-query baseline, with Epoch's PUE
 * taken out and scaled per billion active parameters.
 */
export const EPOCH_LONG_INPUT = Object.freeze({
  activeParamsB: factor(100, "billion active parameters (GPT-4o, Epoch's assumption)", EPOCH, "2025-02-07"),
  pue: factor(1.2, "PUE in Epoch's figures", EPOCH, "2025-02-07"),
  shortQueryWh: factor(0.3, "Wh, typical GPT-4o query", EPOCH, "2025-02-07"),
  at10kWh: factor(2.5, "Wh, GPT-4o query with 10,000 input tokens", EPOCH, "2025-02-07"),
  at100kWh: factor(40, "Wh, GPT-4o query with 100,000 input tokens", EPOCH, "2025-02-07"),
});

/** Prefill energy coefficients per billion active parameters, server energy before PUE. */
export const PREFILL = derivePrefill();

function derivePrefill(): { linearWhPerTokenPerB: number; quadraticWhPerToken2PerB: number } {
  const e = EPOCH_LONG_INPUT;
  const [t1, t2] = [10_000, 100_000];
  const [y1, y2] = [e.at10kWh.value - e.shortQueryWh.value, e.at100kWh.value - e.shortQueryWh.value];
  // Solve a·t + b·t² = y at both points.
  const b = (y2 / t2 - y1 / t1) / (t2 - t1);
  const a = y1 / t1 - b * t1;
  const scale = e.activeParamsB.value * e.pue.value;
  return Object.freeze({ linearWhPerTokenPerB: a / scale, quadraticWhPerToken2PerB: b / scale });
}

const LUCCIONI = "https://arxiv.org/abs/2311.16863";
const MIT_TR = "https://www.technologyreview.com/2025/05/20/1116327/ai-energy-usage-climate-footprint-big-tech/";

/**
 * Energy of one generated image, server energy before PUE. Measured on open models: closed image
 * models publish nothing, so the range spans the published measurements.
 */
export const IMAGE_ENERGY_WH: Readonly<Record<Scenario, Factor>> = Object.freeze({
  low: factor(2282 / 3600, "Wh per 1024×1024 image", MIT_TR, "2025-05-20", "Stable Diffusion 3 Medium, 1,141 J of GPU energy doubled for the rest of the server"),
  central: factor(2.907, "Wh per image", LUCCIONI, "2024-06-03", "Luccioni et al., Power Hungry Processing (FAccT 2024): mean of the image-generation models measured"),
  high: factor(11.49, "Wh per image", LUCCIONI, "2024-06-03", "Luccioni et al.: stable-diffusion-xl-base-1.0, the most energy-intensive model measured"),
});

/** Embodied emissions of the hardware (EcoLogits, from BoaviztAPI and NVIDIA), off by default. */
export const EMBODIED = Object.freeze({
  serverKgCo2e: factor(5700, "kg CO₂e, p5.48xlarge without GPUs", ECOLOGITS_DOCS, ECOLOGITS_DATE, "BoaviztAPI"),
  gpuKgCo2e: factor(164, "kg CO₂e per H100 80GB", ECOLOGITS_DOCS, ECOLOGITS_DATE, "NVIDIA HGX H100 product carbon footprint summary"),
  lifetimeYears: factor(3, "years of hardware life", ECOLOGITS_DOCS, ECOLOGITS_DATE),
});
