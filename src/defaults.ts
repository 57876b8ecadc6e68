import type { SemanticEmbedder } from "./types.ts";

/** The default of every option, in one place: the constructor, the settings file, the CLI and the dashboard read them here. */
export const DEFAULTS = {
  mode: "dev",
  storage: "sqlite",
  sqlitePath: ".ecoai/cache.db",
  redisKeyPrefix: "ecoai:",
  ttl: 3600,
  logUsage: true,
  logPath: ".ecoai/usage.db",
  cachingEnabled: true,
  settingsPath: ".ecoai/settings.json",
  semanticThreshold: 0.95,
  /** Default thresholds of the embedders other than OpenAI's and `embedFn` (those take `semanticThreshold`), from the semantic-quality benchmark. */
  semanticThresholdByEmbedder: { local: 0.88, lexical: 0.95 } as Partial<Record<SemanticEmbedder, number>>,
  semanticEmbedder: "openai",
  /** In verified mode the threshold is only the lowest score considered: the embedder's default less this. */
  verifiedThresholdDrop: 0.1,
  /** Share of trusted semantic matches verified anyway (verified mode). */
  semanticExplore: 0.05,
  semanticCompare: "normalised",
  embeddingModel: "text-embedding-3-small",
  memoryMaxEntries: 1000,
  replay: "instant",
  debug: false,
} as const;
