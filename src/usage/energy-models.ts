/**
 * Model sizes behind the energy model: active parameters (energy per token) and total parameters
 * (how many GPUs hold the model), low and high, per model family. Sizes come from EcoLogits'
 * model data, which estimates closed models from leaks, benchmarks and prices; families EcoLogits
 * has no entry for take a documented class, and a model nobody has sized takes the wide
 * {@link UNKNOWN_MODEL} range. Image models are sized per image, not per parameter.
 * @module
 */

import type { Provider } from "../types.ts";
import { keyMatcher } from "./model-match.ts";

/** Parameters in billions, at the low and high end of what is known or estimated. */
export interface ModelSize {
  activeB: { low: number; high: number };
  totalB: { low: number; high: number };
  /** The model the size is taken from, as EcoLogits names it, or the assumption's name. */
  basis: string;
  source: string;
  asOf: string;
  /** True when the provider published the size; false for estimates. */
  published: boolean;
}

/** How a model family's energy is computed. */
export interface EnergyProfile {
  /** `text`: per token; `image`: per generated image; `embedding`: input tokens only. */
  kind: "text" | "image" | "embedding";
  provider: Provider;
  size: ModelSize;
  /** Why this family takes a size EcoLogits did not give it. */
  assumption?: string;
}

const ECOLOGITS_MODELS = "https://github.com/genai-impact/ecologits/blob/main/ecologits/data/models.json";
const ECOLOGITS_DATE = "2025-11-13";

function moe(basis: string, total: number, active: [number, number]): ModelSize {
  return Object.freeze({ activeB: { low: active[0], high: active[1] }, totalB: { low: total, high: total }, basis, source: ECOLOGITS_MODELS, asOf: ECOLOGITS_DATE, published: false });
}

function dense(basis: string, low: number, high: number): ModelSize {
  return Object.freeze({ activeB: { low, high }, totalB: { low, high }, basis, source: ECOLOGITS_MODELS, asOf: ECOLOGITS_DATE, published: false });
}

/** EcoLogits' size classes (models.json, EcoLogits 0.9.1), named after a model that has them. */
export const SIZE_CLASSES = Object.freeze({
  "gpt-4": moe("gpt-4", 1760, [176, 528]),
  "claude-opus-4-1": moe("claude-opus-4-1 (also claude-3-opus, claude-opus-4, gemini-2.5-pro)", 2000, [200, 600]),
  "gpt-4-turbo": moe("gpt-4-turbo", 880, [88, 264]),
  "claude-3-sonnet": moe("claude-3-sonnet", 800, [80, 240]),
  "gpt-4o": moe("gpt-4o (also o1, claude-sonnet-4-5, gemini-2.5-flash)", 440, [44, 132]),
  "gpt-4.1": moe("gpt-4.1", 352, [35, 106]),
  "gpt-5": moe("gpt-5", 300, [30, 90]),
  "claude-3-haiku": moe("claude-3-haiku", 300, [30, 90]),
  "gpt-4.1-mini": dense("gpt-4.1-mini", 40, 112),
  "gpt-5-mini": dense("gpt-5-mini", 25, 70),
  "gpt-3.5-turbo": dense("gpt-3.5-turbo", 20, 70),
  "gpt-4.1-nano": dense("gpt-4.1-nano", 10, 37),
  "claude-haiku-4-5": dense("claude-haiku-4-5", 10, 35),
  "gpt-4o-mini": dense("gpt-4o-mini (also o3-mini, o4-mini, claude-3-5-haiku, gemini-2.5-flash-lite)", 8, 28),
  "gpt-5-nano": dense("gpt-5-nano", 5, 18.5),
});

type SizeClass = keyof typeof SIZE_CLASSES;

/**
 * A model nobody has sized: from EcoLogits' smallest closed-model class (8B dense) to its
 * GPT-4o class (440B, 132B active), so the range says how little is known.
 */
export const UNKNOWN_MODEL: ModelSize = Object.freeze({
  activeB: { low: 8, high: 132 },
  totalB: { low: 8, high: 440 },
  basis: "unknown model: EcoLogits' gpt-4o-mini class (low) to its gpt-4o class (high)",
  source: ECOLOGITS_MODELS,
  asOf: ECOLOGITS_DATE,
  published: false,
});

/** Embedding models: the span of open embedding models, from ~0.1B to 8B dense. */
const EMBEDDING_MODEL: ModelSize = Object.freeze({
  activeB: { low: 0.1, high: 8 },
  totalB: { low: 0.1, high: 8 },
  basis: "open embedding models (about 0.1B to 8B parameters, e.g. Qwen3-Embedding-8B)",
  source: "https://huggingface.co/Qwen/Qwen3-Embedding-8B",
  asOf: "2025-06-05",
  published: false,
});

const IMAGE_MODEL: ModelSize = Object.freeze({ activeB: { low: 0, high: 0 }, totalB: { low: 0, high: 0 }, basis: "per image (energy-factors.ts)", source: "", asOf: "", published: false });

function publishedSize(basis: string, total: number, active: number, source: string, asOf: string): ModelSize {
  return Object.freeze({ activeB: { low: active, high: active }, totalB: { low: total, high: total }, basis, source, asOf, published: true });
}

// Assumptions for families newer than EcoLogits' data, stated once each.
const SUCCESSOR = "a later release of a family EcoLogits sizes: the family's size is kept";
const ABOVE_FLAGSHIP = "a tier above the family's flagship: EcoLogits' largest class (2,000B), likely an underestimate";
const REASONING_BASE = "a reasoning model on the o1 line: o1's size (EcoLogits gives o1 GPT-4o's size); its extra work shows in its reasoning tokens";

function text(provider: Provider, cls: SizeClass, assumption?: string): EnergyProfile {
  const profile: EnergyProfile = { kind: "text", provider, size: SIZE_CLASSES[cls] };
  return Object.freeze(assumption ? { ...profile, assumption } : profile);
}

const image = (provider: Provider): EnergyProfile => Object.freeze({ kind: "image", provider, size: IMAGE_MODEL });
const embedding = (provider: Provider): EnergyProfile => Object.freeze({ kind: "embedding", provider, size: EMBEDDING_MODEL, assumption: "embedding model sizes are not published" });

/** Energy profiles by model family (lowercase key, matched like prices). */
export const ENERGY_PROFILES: Readonly<Record<string, EnergyProfile>> = Object.freeze({
  // ── OpenAI ──
  "gpt-6-astra": text("openai", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "gpt-6.2-astra": text("openai", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "gpt-6-sol": text("openai", "gpt-5", SUCCESSOR),
  "gpt-6.1-sol": text("openai", "gpt-5", SUCCESSOR),
  "gpt-6.2-sol": text("openai", "gpt-5", SUCCESSOR),
  "gpt-6-luna": text("openai", "gpt-5-mini", SUCCESSOR),
  "gpt-5.6-sol": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.6-terra": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.6-luna": text("openai", "gpt-5-mini", SUCCESSOR),
  "gpt-5.5": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.4": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.4-mini": text("openai", "gpt-5-mini", SUCCESSOR),
  "gpt-5.4-nano": text("openai", "gpt-5-nano", SUCCESSOR),
  "gpt-5.3-chat-latest": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.2": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.2-chat-latest": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.2-pro": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.1": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.1-chat-latest": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.1-codex": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.1-codex-max": text("openai", "gpt-5", SUCCESSOR),
  "gpt-5.1-mini": text("openai", "gpt-5-mini", SUCCESSOR),
  "gpt-5": text("openai", "gpt-5"),
  "gpt-5-chat-latest": text("openai", "gpt-5"),
  "gpt-5-codex": text("openai", "gpt-5"),
  "gpt-5-pro": text("openai", "gpt-5", "gpt-5 with more reasoning per answer: gpt-5's size"),
  "gpt-5-mini": text("openai", "gpt-5-mini"),
  "gpt-5-nano": text("openai", "gpt-5-nano"),
  "gpt-4.5-preview": text("openai", "gpt-4", "a larger model than gpt-4o, priced above gpt-4: EcoLogits' gpt-4 class"),
  "gpt-4.1": text("openai", "gpt-4.1"),
  "gpt-4.1-mini": text("openai", "gpt-4.1-mini"),
  "gpt-4.1-nano": text("openai", "gpt-4.1-nano"),
  "gpt-4o": text("openai", "gpt-4o"),
  "chatgpt-4o-latest": text("openai", "gpt-4o"),
  "gpt-4o-audio-preview": text("openai", "gpt-4o"),
  "gpt-4o-search-preview": text("openai", "gpt-4o"),
  "gpt-4o-realtime-preview": text("openai", "gpt-4o"),
  "computer-use-preview": text("openai", "gpt-4o", "OpenAI describes it as built on GPT-4o"),
  "gpt-4o-mini": text("openai", "gpt-4o-mini"),
  "gpt-4o-mini-audio-preview": text("openai", "gpt-4o-mini"),
  "gpt-4o-mini-search-preview": text("openai", "gpt-4o-mini"),
  "gpt-4o-mini-realtime-preview": text("openai", "gpt-4o-mini"),
  "codex-mini-latest": text("openai", "gpt-4o-mini", "a fine-tune of o4-mini: o4-mini's size"),
  o1: text("openai", "gpt-4o"),
  "o1-preview": text("openai", "gpt-4o", REASONING_BASE),
  "o1-pro": text("openai", "gpt-4o", REASONING_BASE),
  o3: text("openai", "gpt-4o", REASONING_BASE),
  "o3-pro": text("openai", "gpt-4o", REASONING_BASE),
  "o3-deep-research": text("openai", "gpt-4o", REASONING_BASE),
  "o1-mini": text("openai", "gpt-4o-mini"),
  "o3-mini": text("openai", "gpt-4o-mini"),
  "o4-mini": text("openai", "gpt-4o-mini"),
  "o4-mini-deep-research": text("openai", "gpt-4o-mini"),
  "gpt-4-turbo": text("openai", "gpt-4-turbo"),
  "gpt-4-turbo-preview": text("openai", "gpt-4-turbo"),
  "gpt-4-1106-preview": text("openai", "gpt-4"),
  "gpt-4-0125-preview": text("openai", "gpt-4"),
  "gpt-4-vision-preview": text("openai", "gpt-4-turbo"),
  "gpt-4": text("openai", "gpt-4"),
  "gpt-4-32k": text("openai", "gpt-4"),
  "gpt-3.5-turbo": text("openai", "gpt-3.5-turbo"),
  "gpt-3.5-turbo-1106": text("openai", "gpt-3.5-turbo"),
  "gpt-3.5-turbo-0613": text("openai", "gpt-3.5-turbo"),
  "gpt-3.5-turbo-0301": text("openai", "gpt-3.5-turbo"),
  "gpt-3.5-turbo-16k": text("openai", "gpt-3.5-turbo"),
  "gpt-image-2": image("openai"),
  "gpt-image-1.5": image("openai"),
  "gpt-image-1": image("openai"),
  "gpt-image-1-mini": image("openai"),
  "chatgpt-image-latest": image("openai"),
  "dall-e-2": image("openai"),
  "dall-e-3": image("openai"),
  "text-embedding-3-small": embedding("openai"),
  "text-embedding-3-large": embedding("openai"),
  "text-embedding-ada-002": embedding("openai"),

  // ── Anthropic ──
  "claude-fable-5-2": text("anthropic", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "claude-fable-5-1": text("anthropic", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "claude-fable-5": text("anthropic", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "claude-mythos-5-2": text("anthropic", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "claude-mythos-5-1": text("anthropic", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "claude-mythos-5": text("anthropic", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "claude-mythos-preview": text("anthropic", "claude-opus-4-1", ABOVE_FLAGSHIP),
  "claude-opus-5-5": text("anthropic", "claude-opus-4-1", SUCCESSOR),
  "claude-opus-5": text("anthropic", "claude-opus-4-1", SUCCESSOR),
  "claude-opus-4-8": text("anthropic", "claude-opus-4-1", SUCCESSOR),
  "claude-opus-4-7": text("anthropic", "claude-opus-4-1", SUCCESSOR),
  "claude-opus-4-6": text("anthropic", "claude-opus-4-1", SUCCESSOR),
  "claude-opus-4-5": text("anthropic", "claude-opus-4-1", SUCCESSOR),
  "claude-opus-4-1": text("anthropic", "claude-opus-4-1"),
  "claude-opus-4": text("anthropic", "claude-opus-4-1"),
  "claude-3-opus": text("anthropic", "claude-opus-4-1"),
  "claude-sonnet-5-5": text("anthropic", "gpt-4o", SUCCESSOR),
  "claude-sonnet-5": text("anthropic", "gpt-4o", SUCCESSOR),
  "claude-sonnet-4-6": text("anthropic", "gpt-4o", SUCCESSOR),
  "claude-sonnet-4-5": text("anthropic", "gpt-4o"),
  "claude-sonnet-4": text("anthropic", "gpt-4o"),
  "claude-3-7-sonnet": text("anthropic", "gpt-4o"),
  "claude-3-5-sonnet": text("anthropic", "gpt-4o"),
  "claude-3-sonnet": text("anthropic", "claude-3-sonnet"),
  "claude-haiku-5-5": text("anthropic", "claude-haiku-4-5", SUCCESSOR),
  "claude-haiku-4-5": text("anthropic", "claude-haiku-4-5"),
  "claude-3-5-haiku": text("anthropic", "gpt-4o-mini"),
  "claude-3-haiku": text("anthropic", "claude-3-haiku"),

  // ── Google ──
  "gemini-4-argon": text("gemini", "claude-opus-4-1", "a new Gemini tier priced like Gemini Pro: the Gemini 2.5 Pro class"),
  "gemini-3.1-pro-preview": text("gemini", "claude-opus-4-1", SUCCESSOR),
  "gemini-3.1-pro-preview-customtools": text("gemini", "claude-opus-4-1", SUCCESSOR),
  "gemini-pro-latest": text("gemini", "claude-opus-4-1"),
  "gemini-2.5-pro": text("gemini", "claude-opus-4-1"),
  "gemini-1.5-pro": text("gemini", "claude-opus-4-1", "Gemini Pro line: the Gemini 2.5 Pro class"),
  "gemini-3.8-flash": text("gemini", "gpt-4o", SUCCESSOR),
  "gemini-3.7-flash": text("gemini", "gpt-4o", SUCCESSOR),
  "gemini-3.6-flash": text("gemini", "gpt-4o", SUCCESSOR),
  "gemini-3.5-flash": text("gemini", "gpt-4o", SUCCESSOR),
  "gemini-3-flash-preview": text("gemini", "gpt-4o", SUCCESSOR),
  "gemini-omni-1.1-flash": text("gemini", "gpt-4o", SUCCESSOR),
  "gemini-omni-flash-preview": text("gemini", "gpt-4o", SUCCESSOR),
  "gemini-flash-latest": text("gemini", "gpt-4o"),
  "gemini-2.5-flash": text("gemini", "gpt-4o"),
  "gemini-2.0-flash": text("gemini", "gpt-4o"),
  "gemini-1.5-flash": text("gemini", "gpt-4o", "Gemini Flash line: the Gemini 2.5 Flash class"),
  "gemini-3.5-flash-lite": text("gemini", "gpt-4o-mini", SUCCESSOR),
  "gemini-3.1-flash-lite": text("gemini", "gpt-4o-mini", SUCCESSOR),
  "gemini-flash-lite-latest": text("gemini", "gpt-4o-mini"),
  "gemini-2.5-flash-lite": text("gemini", "gpt-4o-mini"),
  "gemini-2.0-flash-lite": text("gemini", "gpt-4o-mini"),
  "gemini-1.5-flash-8b": text("gemini", "gpt-4o-mini", "Gemini Flash-Lite line: the flash-lite class"),
  "gemini-2.5-flash-image": image("gemini"),
  "gemini-3-pro-image": image("gemini"),
  "nano-banana-pro-preview": image("gemini"),
  "gemini-3.1-flash-image": image("gemini"),
  "gemini-3.1-flash-lite-image": image("gemini"),
  "gemini-nano-banana-2.1": image("gemini"),
  "gemma-4-26b-a4b-it": Object.freeze({ kind: "text", provider: "gemini", size: publishedSize("gemma-4-26b-a4b-it", 26, 4, "https://ai.google.dev/gemma/docs/core", "2026-10-07") }),
  "gemma-4-31b-it": Object.freeze({ kind: "text", provider: "gemini", size: publishedSize("gemma-4-31b-it", 31, 31, "https://ai.google.dev/gemma/docs/core", "2026-10-07") }),
});

const profileFamily = keyMatcher(Object.keys(ENERGY_PROFILES));

/** The energy profile of a model, or `undefined` when no family matches. */
export function energyProfileFor(model: string): { key: string; profile: EnergyProfile } | undefined {
  const key = profileFamily(model);
  return key === undefined ? undefined : { key, profile: ENERGY_PROFILES[key]! };
}
