/**
 * The `semantic` option resolved: which embedder, which threshold, which guards, and verified or
 * shadow mode, each field checked with what to pass instead.
 *
 * @module
 */
import type { SemanticCheckSettings } from "./cache/semantic-checks.ts";
import { GUARD_NAMES, guardSwitches } from "./cache/semantic-guards.ts";
import { DEFAULTS } from "./defaults.ts";
import { EcoAIConfigError, type ConfigSource } from "./errors.ts";
import type { EcoAISettings } from "./settings.ts";
import type { SemanticCompare, SemanticConfig, SemanticEmbedder, SemanticGuard } from "./types.ts";
import { validBoolean, validNonEmptyString, validThreshold } from "./validate.ts";

/** Semantic caching as it is in force: every field with its value. */
export type ResolvedSemantic = Required<Pick<SemanticConfig, "threshold" | "embeddingModel" | "embedder">> & Pick<SemanticConfig, "embedFn"> & { guards: Record<SemanticGuard, boolean> } & SemanticCheckSettings;

const SEMANTIC_FIELDS: readonly string[] = ["threshold", "embeddingModel", "embedFn", "embedder", "guards", "maxErrorRate", "explore", "compare", "judge", "shadow"] satisfies (keyof SemanticConfig)[];
const SEMANTIC_COMPARES: readonly string[] = ["exact", "normalised", "embedding"] satisfies SemanticCompare[];
const SEMANTIC_EMBEDDERS: readonly string[] = ["openai", "local", "lexical"] satisfies SemanticEmbedder[];


export function resolveSemantic(value: unknown, settings: EcoAISettings, settingsPath: string): false | ResolvedSemantic {
  const source: ConfigSource = "constructor option";
  let enabled: boolean;
  let config: SemanticConfig = {};
  if (value === undefined) {
    enabled = settings.semanticEnabled ?? false;
  } else if (typeof value === "boolean") {
    enabled = value;
  } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    enabled = true;
    config = value as SemanticConfig;
    // A misspelt field (`treshold`) would otherwise leave its default silently in force.
    for (const [field, fieldValue] of Object.entries(config)) {
      if (!SEMANTIC_FIELDS.includes(field)) throw new EcoAIConfigError(`semantic.${field}`, fieldValue, source, `unknown field; expected one of ${SEMANTIC_FIELDS.join(", ")}.`);
    }
  } else {
    throw new EcoAIConfigError("semantic", value, source, `expected true, false or { ${SEMANTIC_FIELDS.join(", ")} }.`);
  }
  if (config.embedder !== undefined && !SEMANTIC_EMBEDDERS.includes(config.embedder)) {
    throw new EcoAIConfigError("semantic.embedder", config.embedder, source, `expected one of ${SEMANTIC_EMBEDDERS.map((name) => `"${name}"`).join(", ")}.`);
  }
  if (config.embedder !== undefined && config.embedFn !== undefined) {
    throw new EcoAIConfigError("semantic.embedder", config.embedder, source, "embedder and embedFn both say where vectors come from; pass one of them.");
  }
  const embedder = config.embedder ?? DEFAULTS.semanticEmbedder;
  const checks = resolveChecks(config);
  const embedderDefault = DEFAULTS.semanticThresholdByEmbedder[embedder] ?? DEFAULTS.semanticThreshold;
  const threshold =
    config.threshold !== undefined
      ? validThreshold("semantic.threshold", { value: config.threshold, source })
      : settings.semanticThreshold !== undefined
        ? validThreshold("semanticThreshold", { value: settings.semanticThreshold, source: `settings file ${settingsPath}` })
        : checks.maxErrorRate !== undefined
          ? Math.round((embedderDefault - DEFAULTS.verifiedThresholdDrop) * 1000) / 1000
          : embedderDefault;
  if (config.embedFn !== undefined && typeof config.embedFn !== "function") {
    throw new EcoAIConfigError("semantic.embedFn", config.embedFn, source, "expected a function (text) => Promise<number[]>.");
  }
  const guards = resolveGuards(config.guards);
  if (!enabled) return false;
  return {
    threshold,
    embeddingModel: config.embeddingModel === undefined ? DEFAULTS.embeddingModel : validNonEmptyString("semantic.embeddingModel", { value: config.embeddingModel, source }, "a model name"),
    embedFn: config.embedFn,
    embedder,
    guards,
    ...checks,
  };
}

/** Verified and shadow modes' fields, each checked with what to pass instead. */
function resolveChecks(config: SemanticConfig): SemanticCheckSettings {
  const source: ConfigSource = "constructor option";
  const { maxErrorRate, explore, compare, judge, shadow } = config as Record<string, unknown>;
  if (maxErrorRate !== undefined && !(typeof maxErrorRate === "number" && maxErrorRate > 0 && maxErrorRate < 1)) {
    throw new EcoAIConfigError("semantic.maxErrorRate", maxErrorRate, source, "expected a share of lookups above 0 and below 1, such as 0.02 (at most 2% of semantic lookups get a wrong answer).");
  }
  if (explore !== undefined && !(typeof explore === "number" && explore >= 0 && explore <= 1)) {
    throw new EcoAIConfigError("semantic.explore", explore, source, `expected a share from 0 to 1 of trusted matches to verify anyway, such as ${DEFAULTS.semanticExplore}.`);
  }
  if (explore !== undefined && maxErrorRate === undefined) {
    throw new EcoAIConfigError("semantic.explore", explore, source, "explore only applies in verified mode: set semantic.maxErrorRate too, or remove explore.");
  }
  if (compare !== undefined && !SEMANTIC_COMPARES.includes(compare as string)) {
    throw new EcoAIConfigError("semantic.compare", compare, source, `expected one of ${SEMANTIC_COMPARES.map((name) => `"${name}"`).join(", ")}.`);
  }
  if (judge !== undefined && typeof judge !== "function") {
    throw new EcoAIConfigError("semantic.judge", judge, source, "expected a function ({ prompt, storedPrompt, score, storedAnswer, freshAnswer }) => boolean | Promise<boolean>.");
  }
  if (shadow !== undefined && typeof shadow !== "boolean") {
    throw new EcoAIConfigError("semantic.shadow", shadow, source, "expected true or false.");
  }
  if ((compare !== undefined || judge !== undefined) && maxErrorRate === undefined && shadow !== true) {
    const field = compare !== undefined ? "compare" : "judge";
    throw new EcoAIConfigError(`semantic.${field}`, config[field], source, "answers are only compared in verified mode (semantic.maxErrorRate) or shadow mode (semantic.shadow: true); set one of them, or remove this field.");
  }
  return {
    ...(maxErrorRate === undefined ? {} : { maxErrorRate: maxErrorRate as number }),
    explore: (explore as number | undefined) ?? DEFAULTS.semanticExplore,
    compare: (compare as SemanticCompare | undefined) ?? DEFAULTS.semanticCompare,
    ...(judge === undefined ? {} : { judge: judge as SemanticConfig["judge"] }),
    shadow: shadow === true,
  };
}

/** `true` or absent: every guard; `false`: none; an object switches named guards, the others staying on. */
function resolveGuards(value: unknown): Record<SemanticGuard, boolean> {
  const source: ConfigSource = "constructor option";
  if (value === undefined || typeof value === "boolean") return guardSwitches(value ?? true);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EcoAIConfigError("semantic.guards", value, source, `expected true, false or an object of guard → boolean (${GUARD_NAMES.join(", ")}).`);
  }
  const guards = guardSwitches(true);
  for (const [guard, on] of Object.entries(value)) {
    if (!GUARD_NAMES.includes(guard as SemanticGuard)) throw new EcoAIConfigError(`semantic.guards.${guard}`, on, source, `unknown guard; expected one of ${GUARD_NAMES.join(", ")}.`);
    guards[guard as SemanticGuard] = validBoolean(`semantic.guards.${guard}`, { value: on, source });
  }
  return guards;
}
