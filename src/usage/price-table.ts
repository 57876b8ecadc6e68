/**
 * The dated price table: the providers' public list prices in USD per million tokens, standard
 * (non-batch, non-priority) tier, one row per model family with its source and the date of the
 * figure. A model id finds its row by longest key plus at most a version suffix
 * (`model-match.ts`). Models the installed SDKs name that have no published token price, or
 * whose calls ecoai does not cache, are listed in {@link UNPRICED_MODELS} with the reason, so a
 * lookup reports `priced: false` rather than inventing a price.
 *
 * Conventions, applied to every row:
 * - `cachedInput`: a prompt-cache read (OpenAI `cached_tokens`, Anthropic
 *   `cache_read_input_tokens`, Gemini `cachedContentTokenCount`). Where a provider publishes no
 *   cached rate it equals `input`.
 * - `cacheWrite`: input written to the prompt cache (Anthropic `cache_creation_input_tokens` at
 *   the default 5-minute lifetime; OpenAI cache writes where billed). Equals `input` where writes
 *   are free.
 * - `reasoning`: reasoning (thinking) tokens; every provider bills them as output, so rows leave it
 *   unset and it defaults to `output`.
 * - `longContext`: the rates for the whole request once its input (cache reads and writes
 *   included) exceeds `aboveInputTokens`.
 * - `from`: the first day a scheduled price applies (promotions ending, announced changes).
 * @module
 */

import type { Provider } from "../types.ts";

/** Date this table was last checked against the sources below. */
export const PRICES_AS_OF = "2026-11-29";

/** USD per 1M tokens of each kind. */
export interface TokenRates {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  /** Defaults to `output`. */
  reasoning?: number;
}

/** One dated list price of a model family. */
export interface PriceRow extends TokenRates {
  provider: Provider;
  /** Where the price is published. */
  source: string;
  /** Date of the figure (the page or announcement it was read from). */
  asOf: string;
  /** A transcription of the source that was read when the source page itself was not. */
  via?: string;
  /** First day this price applies; absent: applies from any date until a later row's `from`. */
  from?: string;
  longContext?: TokenRates & { aboveInputTokens: number };
  note?: string;
}

/** A model id the SDKs name that ecoai deliberately leaves unpriced. */
export interface UnpricedModel {
  reason: string;
}

const OPENAI = "https://developers.openai.com/api/docs/pricing";
const OPENAI_MODEL = (id: string) => `https://developers.openai.com/api/docs/models/${id}`;
const ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing";
const ANTHROPIC_MODEL = (id: string) => `https://platform.claude.com/docs/en/models/${id}/overview`;
const GEMINI = "https://ai.google.dev/gemini-api/docs/pricing";

type Rates4 = readonly [input: number, cachedInput: number, cacheWrite: number, output: number];
type Extra = Omit<Partial<PriceRow>, keyof TokenRates | "provider">;

function rates([input, cachedInput, cacheWrite, output]: Rates4): TokenRates {
  return { input, cachedInput, cacheWrite, output };
}

function row(provider: Provider, r: Rates4, source: string, asOf: string, extra: Extra = {}): PriceRow {
  return Object.freeze({ provider, ...rates(r), source, asOf, ...extra });
}

const openai = (r: Rates4, asOf: string, extra?: Extra & { source?: string }) => row("openai", r, extra?.source ?? OPENAI, asOf, extra);
const anthropic = (r: Rates4, asOf: string, extra?: Extra & { source?: string }) => row("anthropic", r, extra?.source ?? ANTHROPIC, asOf, extra);
const gemini = (r: Rates4, asOf: string, extra?: Extra & { source?: string }) => row("gemini", r, extra?.source ?? GEMINI, asOf, extra);

/** Above `aboveInputTokens` OpenAI bills input and cache rates ×2 and output ×1.5 for the whole request. */
function openaiLongContext([input, cachedInput, cacheWrite, output]: Rates4, aboveInputTokens = 272_000): PriceRow["longContext"] {
  return { aboveInputTokens, input: input * 2, cachedInput: cachedInput * 2, cacheWrite: cacheWrite * 2, output: output * 1.5 };
}

const CHECKED = PRICES_AS_OF;

// Shared price points: a family whose members share a list price is listed once per member.
const GPT5: Rates4 = [1.25, 0.125, 1.25, 10];
const GPT52: Rates4 = [1.75, 0.175, 1.75, 14];
const OPUS_45: Rates4 = [5, 0.5, 6.25, 25];
const OPUS_4: Rates4 = [15, 1.5, 18.75, 75];
const SONNET: Rates4 = [3, 0.3, 3.75, 15];
const SONNET_LONG = { aboveInputTokens: 200_000, input: 6, cachedInput: 0.6, cacheWrite: 7.5, output: 22.5 };
const GPT6_SOL: Rates4 = [2, 0.1, 2.5, 10];
const FREE: Rates4 = [0, 0, 0, 0];

/** List prices by model family (lowercase key); a key with several rows has scheduled prices. */
export const PRICE_TABLE: Readonly<Record<string, PriceRow | readonly PriceRow[]>> = Object.freeze({
  // ── OpenAI ──────────────────────────────────────────── input  cached  write  output
  "gpt-6.2-astra": openai([8, 0.4, 10, 40], "2026-11-20", { longContext: openaiLongContext([8, 0.4, 10, 40]), via: "https://github.com/iyulab/TokenMeter/releases/tag/v0.17.0" }),
  "gpt-6.2-sol": openai(GPT6_SOL, "2026-11-20", { source: OPENAI_MODEL("gpt-6.2-sol"), longContext: openaiLongContext(GPT6_SOL), note: "cache write price is for 30 minutes of retention" }),
  "gpt-6.1-sol": openai(GPT6_SOL, "2026-09-29", { source: OPENAI_MODEL("gpt-6.1-sol"), longContext: openaiLongContext(GPT6_SOL), via: "https://github.com/amine123max/Codex-Manager/releases/tag/0.4.7" }),
  "gpt-6-astra": openai([10, 1, 12.5, 50], "2026-09-03", { source: OPENAI_MODEL("gpt-6-astra"), longContext: openaiLongContext([10, 1, 12.5, 50]), via: "https://github.com/BerriAI/litellm/discussions/39633" }),
  "gpt-6-sol": openai([2, 0.2, 2.5, 10], "2026-09-22", { source: OPENAI_MODEL("gpt-6-sol"), longContext: openaiLongContext([2, 0.2, 2.5, 10]), via: "https://github.com/merefield/codexometer/releases/tag/v0.18.4" }),
  "gpt-6-luna": openai([0.1, 0.01, 0.125, 0.5], "2026-09-22", { source: OPENAI_MODEL("gpt-6-luna"), longContext: openaiLongContext([0.1, 0.01, 0.125, 0.5]), via: "https://github.com/merefield/codexometer/releases/tag/v0.18.4" }),
  "gpt-5.6-sol": openai([4, 0.4, 5, 20], "2026-08-21", {
    source: OPENAI_MODEL("gpt-5.6-sol"),
    longContext: openaiLongContext([4, 0.4, 5, 20]),
    note: "promotional price, published as lasting at least until 2026-11-21; the list price before it was $5 / $0.50 / $30. The lower figure is kept so a saving is never overstated",
  }),
  "gpt-5.6-terra": openai([2, 0.2, 2.5, 12], "2026-07-30", { longContext: openaiLongContext([2, 0.2, 2.5, 12]), via: "https://docs.laozhang.ai/en/announcements/gpt-5-6-pricing-2026-07.md", note: "cache write at 1.25× input, the GPT-5.6 rule on the gpt-5.6-sol page" }),
  "gpt-5.6-luna": openai([0.2, 0.02, 0.25, 1.2], "2026-07-30", { longContext: openaiLongContext([0.2, 0.02, 0.25, 1.2]), via: "https://docs.laozhang.ai/en/announcements/gpt-5-6-pricing-2026-07.md", note: "cache write at 1.25× input, the GPT-5.6 rule on the gpt-5.6-sol page" }),
  "gpt-5.5": openai([5, 0.5, 5, 30], "2026-06-04", { via: "https://tokenmix.ai/blog/openai-api-cost-2026-gpt-5-5-5-4-nano-batch" }),
  "gpt-5.4": openai([2.5, 0.25, 2.5, 15], "2026-04-13", { longContext: openaiLongContext([2.5, 0.25, 2.5, 15]), via: "https://benchlm.ai/blog/posts/openai-api-pricing" }),
  "gpt-5.4-mini": openai([0.75, 0.075, 0.75, 4.5], "2026-04-13", { via: "https://benchlm.ai/blog/posts/openai-api-pricing" }),
  "gpt-5.4-nano": openai([0.2, 0.02, 0.2, 1.25], "2026-04-13", { via: "https://benchlm.ai/blog/posts/openai-api-pricing" }),
  "gpt-5.3-chat-latest": openai(GPT52, "2026-03-03", { via: "https://docs.apiyi.com/en/api-capabilities/gpt-5-3-chat" }),
  "gpt-5.2": openai(GPT52, "2026-04-13", { via: "https://benchlm.ai/blog/posts/openai-api-pricing" }),
  "gpt-5.2-chat-latest": openai(GPT52, "2026-04-13", { via: "https://benchlm.ai/blog/posts/openai-api-pricing" }),
  "gpt-5.2-pro": openai([21, 21, 21, 168], "2026-04-13", { via: "https://benchlm.ai/blog/posts/openai-api-pricing", note: "no cached rate published" }),
  "gpt-5.1": openai(GPT5, "2026-04-13", { via: "https://benchlm.ai/blog/posts/openai-api-pricing" }),
  "gpt-5.1-chat-latest": openai(GPT5, "2026-04-13"),
  "gpt-5.1-codex": openai(GPT5, "2026-03-21", { via: "https://deploybase.ai/articles/openai-pricing" }),
  "gpt-5.1-codex-max": openai(GPT5, "2026-03-21"),
  "gpt-5": openai(GPT5, "2026-03-21", { via: "https://deploybase.ai/articles/openai-pricing" }),
  "gpt-5-chat-latest": openai(GPT5, "2026-03-21"),
  "gpt-5-codex": openai(GPT5, "2026-03-21", { via: "https://deploybase.ai/articles/openai-pricing" }),
  "gpt-5-mini": openai([0.25, 0.025, 0.25, 2], "2026-03-21", { via: "https://deploybase.ai/articles/openai-pricing" }),
  "gpt-5-nano": openai([0.05, 0.005, 0.05, 0.4], "2026-03-21", { via: "https://deploybase.ai/articles/openai-pricing" }),
  "gpt-5-pro": openai([15, 15, 15, 120], "2026-03-21", { via: "https://deploybase.ai/articles/openai-pricing", note: "no cached rate published" }),
  "gpt-4.5-preview": openai([75, 37.5, 75, 150], "2025-02-27", { note: "deprecated research preview" }),
  "gpt-4.1": openai([2, 0.5, 2, 8], "2026-04-01", { via: "https://aumiqx.com/ai-tools/openai-api-pricing-gpt4-costs-guide-2026" }),
  "gpt-4.1-mini": openai([0.4, 0.1, 0.4, 1.6], "2026-04-01"),
  "gpt-4.1-nano": openai([0.1, 0.025, 0.1, 0.4], "2026-04-01"),
  "gpt-4o": openai([2.5, 1.25, 2.5, 10], "2026-04-01", { via: "https://aumiqx.com/ai-tools/openai-api-pricing-gpt4-costs-guide-2026" }),
  "gpt-4o-2024-05-13": openai([5, 5, 5, 15], "2024-05-13", { note: "first gpt-4o snapshot: launch price, no cache discount" }),
  "chatgpt-4o-latest": openai([5, 5, 5, 15], "2024-08-13"),
  "gpt-4o-mini": openai([0.15, 0.075, 0.15, 0.6], "2026-04-01"),
  "computer-use-preview": openai([3, 3, 3, 12], "2025-03-11"),
  "codex-mini-latest": openai([1.5, 0.375, 1.5, 6], "2025-05-16"),
  o1: openai([15, 7.5, 15, 60], "2026-04-01"),
  "o1-preview": openai([15, 7.5, 15, 60], "2024-09-12"),
  "o1-pro": openai([150, 150, 150, 600], "2025-03-19", { note: "no cached rate published" }),
  "o1-mini": openai([1.1, 0.55, 1.1, 4.4], "2025-01-31"),
  o3: openai([2, 0.5, 2, 8], "2026-03-21", { via: "https://deploybase.ai/articles/openai-pricing" }),
  "o3-pro": openai([20, 20, 20, 80], "2025-06-10", { note: "no cached rate published" }),
  "o3-mini": openai([1.1, 0.55, 1.1, 4.4], "2026-03-21"),
  "o3-deep-research": openai([10, 2.5, 10, 40], "2025-06-26"),
  "o4-mini": openai([1.1, 0.275, 1.1, 4.4], "2026-03-21"),
  "o4-mini-deep-research": openai([2, 0.5, 2, 8], "2025-06-26"),
  "gpt-4-turbo": openai([10, 10, 10, 30], "2024-04-09"),
  "gpt-4-turbo-preview": openai([10, 10, 10, 30], "2024-01-25"),
  "gpt-4-1106-preview": openai([10, 10, 10, 30], "2023-11-06"),
  "gpt-4-0125-preview": openai([10, 10, 10, 30], "2024-01-25"),
  "gpt-4-vision-preview": openai([10, 10, 10, 30], "2023-11-06"),
  "gpt-4": openai([30, 30, 30, 60], "2023-03-14"),
  "gpt-4-32k": openai([60, 60, 60, 120], "2023-03-14"),
  "gpt-3.5-turbo": openai([0.5, 0.5, 0.5, 1.5], "2024-01-25"),
  "gpt-3.5-turbo-1106": openai([1, 1, 1, 2], "2023-11-06"),
  "gpt-3.5-turbo-0613": openai([1.5, 1.5, 1.5, 2], "2023-06-13"),
  "gpt-3.5-turbo-0301": openai([1.5, 1.5, 1.5, 2], "2023-03-01"),
  "gpt-3.5-turbo-16k": openai([3, 3, 3, 4], "2023-06-13"),
  // Image models: text input tokens; output is image tokens, or per image (image-pricing.ts).
  "gpt-image-2": openai([5, 5, 5, 30], "2026-04-21", { via: "https://vercel.com/ai-gateway/models/gpt-image-2.md", note: "output: image tokens" }),
  "gpt-image-1.5": openai([5, 5, 5, 32], "2026-05-01", { via: "https://piapi.ai/gpt-images-2-0/llms.txt", note: "output: image tokens" }),
  "gpt-image-1": openai([5, 1.25, 5, 40], "2025-04-23", { note: "output: image tokens" }),
  "gpt-image-1-mini": openai([2, 0.2, 2, 8], CHECKED, { source: OPENAI_MODEL("gpt-image-1-mini"), note: "output: image tokens" }),
  "dall-e-2": openai(FREE, "2023-11-06", { note: "billed per image only (image-pricing.ts)" }),
  "dall-e-3": openai(FREE, "2023-11-06", { note: "billed per image only (image-pricing.ts)" }),
  // Embeddings bill input only.
  "text-embedding-3-small": openai([0.02, 0.02, 0.02, 0], "2024-01-25"),
  "text-embedding-3-large": openai([0.13, 0.13, 0.13, 0], "2024-01-25"),
  "text-embedding-ada-002": openai([0.1, 0.1, 0.1, 0], "2024-01-25"),

  // ── Anthropic (cachedInput = cache hits, cacheWrite = 5-minute cache writes) ──
  "claude-fable-5-2": anthropic([8, 0.2, 10, 40], "2026-11-10", { via: "https://docs.laozhang.ai/en/announcements/claude-fable-5-2-2026-11.md" }),
  "claude-fable-5-1": anthropic([10, 0.25, 12.5, 50], CHECKED),
  "claude-mythos-5-1": anthropic([10, 0.25, 12.5, 50], CHECKED, { note: "limited availability" }),
  "claude-fable-5": anthropic([10, 1, 12.5, 50], CHECKED),
  "claude-mythos-5": anthropic([10, 1, 12.5, 50], CHECKED, { note: "limited availability" }),
  "claude-opus-5-5": anthropic([4, 0.2, 5, 20], "2026-09-22", { source: ANTHROPIC_MODEL("opus-5-5") }),
  "claude-opus-5": anthropic(OPUS_45, CHECKED),
  "claude-opus-4-8": anthropic(OPUS_45, CHECKED),
  "claude-opus-4-7": anthropic(OPUS_45, CHECKED),
  "claude-opus-4-6": anthropic(OPUS_45, CHECKED),
  "claude-opus-4-5": anthropic(OPUS_45, CHECKED),
  "claude-opus-4-1": anthropic(OPUS_4, CHECKED),
  "claude-opus-4": anthropic(OPUS_4, CHECKED),
  "claude-3-opus": anthropic(OPUS_4, CHECKED),
  "claude-sonnet-5-5": [
    anthropic([2, 0.2, 2.5, 10], "2026-09-22", { source: ANTHROPIC_MODEL("sonnet-5-5") }),
    anthropic([2, 0.1, 2.5, 10], "2026-10-07", { from: "2026-10-07", via: "https://github.com/kurofune/claudit/releases/tag/v1.9.2", note: "cache reads cut to 0.05× input" }),
  ],
  "claude-sonnet-5": anthropic([2, 0.2, 2.5, 10], CHECKED, { source: ANTHROPIC_MODEL("sonnet-5") }),
  "claude-sonnet-4-6": anthropic(SONNET, CHECKED),
  "claude-sonnet-4-5": anthropic(SONNET, CHECKED, { longContext: SONNET_LONG }),
  "claude-sonnet-4": anthropic(SONNET, CHECKED, { longContext: SONNET_LONG }),
  "claude-3-7-sonnet": anthropic(SONNET, CHECKED),
  "claude-3-5-sonnet": anthropic(SONNET, "2024-06-20"),
  "claude-haiku-5-5": anthropic([0.1, 0.01, 0.125, 0.5], "2026-10-08", {
    source: ANTHROPIC_MODEL("haiku-5-5"),
    via: "https://apidog.com/blog/how-to-use-claude-haiku-5-5-api/",
    longContext: { aboveInputTokens: 100_000, input: 0.5, cachedInput: 0.05, cacheWrite: 0.625, output: 2.5 },
  }),
  "claude-haiku-4-5": anthropic([1, 0.1, 1.25, 5], CHECKED),
  "claude-3-5-haiku": anthropic([0.8, 0.08, 1, 4], CHECKED),
  "claude-3-haiku": anthropic([0.25, 0.03, 0.3, 1.25], CHECKED),

  // ── Google Gemini (cachedInput = context-caching price; storage per hour is not per call) ──
  "gemini-4-argon": [
    gemini([2, 0.1, 2, 10], "2026-10-13", { via: "https://github.com/BerriAI/litellm/discussions/46238", note: "launch price until 2026-11-30" }),
    gemini([4, 0.2, 4, 20], "2026-10-13", { from: "2026-12-01", via: "https://github.com/BerriAI/litellm/discussions/46238" }),
  ],
  "gemini-3.8-flash": [
    gemini([0.75, 0.075, 0.75, 3.75], "2026-10-07", { via: "https://raw.githubusercontent.com/api-evangelist/deepmind/refs/heads/main/plans/deepmind-plans-pricing.yml", note: "half price until 2026-12-31" }),
    gemini([1.5, 0.15, 1.5, 7.5], "2026-10-07", { from: "2027-01-01", via: "https://github.com/BerriAI/litellm/discussions/39357" }),
  ],
  "gemini-3.7-flash": gemini([0.75, 0.075, 0.75, 3.75], "2026-08-01", { via: "https://github.com/BerriAI/litellm/discussions/36799", note: "launch price; standard $1.50 / $7.50" }),
  "gemini-3.6-flash": gemini([1.5, 0.15, 1.5, 7.5], "2026-07-21", { via: "https://github.com/simstudioai/sim/pull/5812" }),
  "gemini-3.5-flash": gemini([1.5, 1.5, 1.5, 9], "2026-10-07", { via: "https://raw.githubusercontent.com/api-evangelist/deepmind/refs/heads/main/plans/deepmind-plans-pricing.yml", note: "no cached rate found; cached input priced as fresh input" }),
  "gemini-3.5-flash-lite": gemini([0.3, 0.03, 0.3, 2.5], "2026-10-07", { via: "https://github.com/simstudioai/sim/pull/5812" }),
  "gemini-3.1-pro-preview": gemini([2, 0.2, 2, 12], "2026-10-07", {
    via: "https://raw.githubusercontent.com/api-evangelist/deepmind/refs/heads/main/plans/deepmind-plans-pricing.yml",
    longContext: { aboveInputTokens: 200_000, input: 4, cachedInput: 0.4, cacheWrite: 4, output: 18 },
  }),
  "gemini-3.1-pro-preview-customtools": gemini([2, 0.2, 2, 12], "2026-10-07", {
    note: "the gemini-3.1-pro-preview endpoint tuned for custom tools, billed as gemini-3.1-pro-preview",
    longContext: { aboveInputTokens: 200_000, input: 4, cachedInput: 0.4, cacheWrite: 4, output: 18 },
  }),
  "gemini-3-flash-preview": gemini([0.5, 0.05, 0.5, 3], "2026-06-01", { via: "https://muapi.ai/de/playground/gemini-3-flash" }),
  "gemini-3-pro-image": gemini([2, 2, 2, 120], "2026-10-07", { note: "output: image tokens ($120 per 1M)" }),
  "nano-banana-pro-preview": gemini([2, 2, 2, 120], "2026-10-07", { note: "alias of gemini-3-pro-image; output: image tokens" }),
  "gemini-2.5-pro": gemini([1.25, 0.125, 1.25, 10], "2026-10-07", { longContext: { aboveInputTokens: 200_000, input: 2.5, cachedInput: 0.25, cacheWrite: 2.5, output: 15 } }),
  "gemini-2.5-flash": gemini([0.3, 0.03, 0.3, 2.5], "2026-10-07"),
  "gemini-2.5-flash-lite": gemini([0.1, 0.01, 0.1, 0.4], "2026-10-07"),
  "gemini-2.5-flash-image": gemini([0.3, 0.3, 0.3, 30], "2025-08-26", { note: "output: image tokens (1,290 per 1024×1024 image)" }),
  "gemini-2.0-flash": gemini([0.1, 0.025, 0.1, 0.4], "2025-02-05"),
  "gemini-2.0-flash-lite": gemini([0.075, 0.075, 0.075, 0.3], "2025-02-25", { note: "no context caching" }),
  "gemini-1.5-pro": gemini([1.25, 0.3125, 1.25, 5], "2024-10-01", { note: "≤128k-token prompts" }),
  "gemini-1.5-flash": gemini([0.075, 0.01875, 0.075, 0.3], "2024-08-12"),
  "gemini-1.5-flash-8b": gemini([0.0375, 0.01, 0.0375, 0.15], "2024-10-03"),
  "gemma-4-26b-a4b-it": gemini(FREE, "2026-10-07", { note: "free of charge on the Gemini API (free tier only)" }),
  "gemma-4-31b-it": gemini(FREE, "2026-10-07", { note: "free of charge on the Gemini API (free tier only)" }),
});

/**
 * The row of a table entry in effect on `day` (an ISO date): the scheduled row with the latest
 * `from` not after `day`, or the earliest row when every one starts later.
 *
 * @example
 * rowOn(PRICE_TABLE["gemini-4-argon"]!, "2026-12-01").input; // 4
 */
export function rowOn(entry: PriceRow | readonly PriceRow[], day: string): PriceRow {
  const rows: readonly PriceRow[] = Array.isArray(entry) ? entry : [entry as PriceRow];
  const start = (r: PriceRow) => r.from ?? "";
  let current: PriceRow | undefined;
  for (const r of rows) if (start(r) <= day && (current === undefined || start(r) >= start(current))) current = r;
  return current ?? rows.reduce((a, b) => (start(b) < start(a) ? b : a));
}

const NOT_CACHED = "an endpoint ecoai does not cache, so a call to it never produces a saving";
const AUDIO = "audio tokens are billed at their own rates, which a usage record does not separate from text tokens";
const NO_PRICE = `no public list price found (checked ${PRICES_AS_OF}); add a \`pricing\` override to price it`;
const ALIAS = "a moving alias whose underlying model and price change; price the concrete model id, or add a `pricing` override";

/**
 * Model families the installed SDKs name that are deliberately left unpriced, keyed like
 * {@link PRICE_TABLE}. A lookup of one reports `priced: false` with this reason.
 */
export const UNPRICED_MODELS: Readonly<Record<string, UnpricedModel>> = Object.freeze({
  // OpenAI endpoints ecoai does not cache: speech, transcription, realtime, moderation, video, legacy completions.
  "whisper-1": { reason: NOT_CACHED },
  "tts-1": { reason: NOT_CACHED },
  "tts-1-hd": { reason: NOT_CACHED },
  "gpt-4o-transcribe": { reason: NOT_CACHED },
  "gpt-4o-transcribe-diarize": { reason: NOT_CACHED },
  "gpt-4o-mini-transcribe": { reason: NOT_CACHED },
  "gpt-4o-mini-tts": { reason: NOT_CACHED },
  "gpt-realtime": { reason: NOT_CACHED },
  "gpt-realtime-1.5": { reason: NOT_CACHED },
  "gpt-realtime-2": { reason: NOT_CACHED },
  "gpt-realtime-2.1": { reason: NOT_CACHED },
  "gpt-realtime-2.1-mini": { reason: NOT_CACHED },
  "gpt-realtime-mini": { reason: NOT_CACHED },
  "gpt-realtime-whisper": { reason: NOT_CACHED },
  "gpt-4o-realtime-preview": { reason: NOT_CACHED },
  "gpt-4o-mini-realtime-preview": { reason: NOT_CACHED },
  "omni-moderation": { reason: NOT_CACHED },
  "omni-moderation-latest": { reason: NOT_CACHED },
  "text-moderation-latest": { reason: NOT_CACHED },
  "text-moderation-stable": { reason: NOT_CACHED },
  "sora-2": { reason: NOT_CACHED },
  "sora-2-pro": { reason: NOT_CACHED },
  "babbage-002": { reason: NOT_CACHED },
  "davinci-002": { reason: NOT_CACHED },
  "gpt-3.5-turbo-instruct": { reason: NOT_CACHED },
  // Chat models whose bill has parts a usage record cannot show.
  "gpt-4o-audio-preview": { reason: AUDIO },
  "gpt-4o-mini-audio-preview": { reason: AUDIO },
  "gpt-audio-1.5": { reason: AUDIO },
  "gpt-audio-mini": { reason: AUDIO },
  "gpt-4o-search-preview": { reason: "each call also bills a web-search fee that a usage record does not show" },
  "gpt-4o-mini-search-preview": { reason: "each call also bills a web-search fee that a usage record does not show" },
  "gpt-5.1-mini": { reason: NO_PRICE },
  "chatgpt-image-latest": { reason: ALIAS },
  // Anthropic.
  "claude-mythos-5-2": { reason: `limited availability; ${NO_PRICE}` },
  "claude-mythos-preview": { reason: `gated research preview; ${NO_PRICE}` },
  // Google.
  "gemini-flash-latest": { reason: ALIAS },
  "gemini-flash-lite-latest": { reason: ALIAS },
  "gemini-pro-latest": { reason: ALIAS },
  "gemini-3.1-flash-lite": { reason: NO_PRICE },
  "gemini-3.1-flash-image": { reason: NO_PRICE },
  "gemini-3.1-flash-lite-image": { reason: NO_PRICE },
  "gemini-nano-banana-2.1": { reason: NO_PRICE },
  "gemini-omni-1.1-flash": { reason: NO_PRICE },
  "gemini-omni-flash-preview": { reason: NO_PRICE },
  "gemini-robotics-er-1.6-preview": { reason: NO_PRICE },
  "gemini-robotics-er-2-preview": { reason: NO_PRICE },
  "gemini-3.1-flash-tts-preview": { reason: AUDIO },
  "gemini-3.8-flash-tts": { reason: AUDIO },
  "gemini-3.8-flash-lite-tts": { reason: AUDIO },
  "lyria-3-clip-preview": { reason: "music generation, billed per song or clip rather than per token" },
  "lyria-3-pro-preview": { reason: "music generation, billed per song or clip rather than per token" },
  "lyria-3.5": { reason: "music generation, billed per song or clip rather than per token" },
});
