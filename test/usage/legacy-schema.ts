/**
 * The usage log as the release before spent costs, namespaces and semantic matches were recorded
 * wrote it, copied literally: logs of this shape exist on users' disks, and migrations must keep
 * every row of them.
 * @module
 */
import type { Database, SqlValue } from "../../src/sqlite/database.ts";

export const LEGACY_SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  cache_hit INTEGER NOT NULL,
  semantic_hit INTEGER NOT NULL DEFAULT 0,
  cache_key TEXT,
  prompt TEXT NOT NULL DEFAULT '',
  prompt_type TEXT NOT NULL DEFAULT 'text',
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  tokens_saved INTEGER NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL DEFAULT 0,
  cost_saved_usd REAL NOT NULL DEFAULT 0,
  co2_saved_g REAL NOT NULL DEFAULT 0,
  embedding_tokens INTEGER NOT NULL DEFAULT 0,
  embedding_cost_usd REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS usage_log_timestamp ON usage_log (timestamp);
CREATE INDEX IF NOT EXISTS usage_log_model ON usage_log (model, timestamp);
CREATE INDEX IF NOT EXISTS usage_log_provider ON usage_log (provider, timestamp);
`;

export const LEGACY_COLUMNS = [
  "timestamp", "provider", "model", "cache_hit", "semantic_hit", "cache_key", "prompt", "prompt_type", "input_tokens",
  "output_tokens", "tokens_saved", "latency_ms", "cost_saved_usd", "co2_saved_g", "embedding_tokens", "embedding_cost_usd",
] as const;

/** The insert that release ran for every row. */
export const LEGACY_INSERT = `INSERT INTO usage_log (${LEGACY_COLUMNS.join(", ")}) VALUES (${LEGACY_COLUMNS.map(() => "?").join(", ")})`;

/** A row of that release, varied by `i`: hits and misses, semantic hits with embedding costs, several models. */
export function legacyRow(i: number, at = Date.parse("2026-10-01T00:00:00Z")): SqlValue[] {
  const hit = i % 3 !== 0;
  const semantic = hit && i % 7 === 0;
  const model = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "my-own-model"][i % 5]!;
  const provider = model.startsWith("claude") ? "anthropic" : model.startsWith("gemini") ? "gemini" : "openai";
  return [
    new Date(at + i * 61_000).toISOString(), provider, model, hit ? 1 : 0, semantic ? 1 : 0, `key-${i % 50}`,
    `Question ${i % 50}: what does clause ${i % 13} mean?`, i % 4 ? "text" : "structured", 100 + (i % 17), 40 + (i % 29),
    hit ? 40 + (i % 29) : 0, hit ? 0.4 : 300 + i, hit ? 0.0005 + i * 1e-7 : semantic ? -0.00002 : 0, hit ? 0.0012 : 0,
    semantic ? 12 : 0, semantic ? 0.00002 : 0,
  ];
}

/** Creates a log of that release at `db` holding `count` rows. */
export function writeLegacyLog(db: Database, count: number): void {
  db.exec(LEGACY_SCHEMA);
  const insert = db.prepare(LEGACY_INSERT);
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(...legacyRow(i));
  });
}
