import type { SqlValue } from "../sqlite/database.ts";
import type { PromptType, Provider, SemanticCheckKind, TokenUsage } from "../types.ts";
import { accountFor, type AccountedCall, type AccountOptions, type CallAccount } from "./call-account.ts";
import { USAGE_COLUMNS, type UsageColumn } from "./schema.ts";

export { accountFor, type AccountOptions, type CallAccount } from "./call-account.ts";

/** The stored entry that answered a semantic hit. */
export interface SemanticMatchFacts {
  /** Its cache key. */
  key: string;
  /** Cosine similarity between the caller's prompt and the entry's. */
  score: number;
  /** Its prompt text (first 200 characters). */
  prompt: string;
}

/**
 * One call as the engine describes it; the usage log prices it (what it cost, what it saved)
 * when it writes the row, off the call's path.
 */
export interface NewUsageRecord {
  /** When the call finished: ISO 8601 (UTC), or ms since the epoch (the engine's, formatted when the row is written). */
  timestamp: string | number;
  provider: Provider;
  /** The SDK method, such as `chat.completions` (for telemetry; not stored). */
  endpoint?: string;
  model: string;
  cacheHit: boolean;
  semanticHit: boolean;
  /** The entry that answered or was written; `null` when the call had no key (a pass-through). */
  cacheKey: string | null;
  /** Cache partition; `""` or absent when none. */
  namespace?: string;
  prompt: string;
  promptType: PromptType;
  /** Tokens of the response: paid for on a miss, served from the cache on a hit. */
  usage: TokenUsage;
  latencyMs: number;
  /** Set on a semantic hit. */
  match?: SemanticMatchFacts;
  /** The embedding the call needed (semantic caching), charged to it, hit or miss. */
  embedding?: { tokens: number; costUsd: number };
  /** Set when the call checked a semantic match against the provider's answer (verified or shadow mode). */
  check?: SemanticCheckFacts;
}

/** A semantic match checked against the provider's answer. */
export interface SemanticCheckFacts extends SemanticMatchFacts {
  kind: SemanticCheckKind;
  agreed: boolean;
}

/**
 * The record as the values of an insert, in `USAGE_COLUMNS` order, each of the column's type.
 * `accounts`: accounts already computed for this batch, by what they depend on (a batch of hits
 * on a few entries prices each entry once).
 */
export function toRow(record: NewUsageRecord, options: AccountOptions = {}, accounts?: Map<string, CallAccount>): SqlValue[] {
  const usage = cleanUsage(record.usage);
  const timestamp = isoTimestamp(record.timestamp);
  const call = { model: text(record.model), provider: record.provider, cacheHit: record.cacheHit, usage, timestamp, embedding: record.embedding };
  const account = accounts ? accountOnce(call, options, accounts) : accountFor(call, options);
  const match = record.semanticHit ? record.match : undefined;
  // Written by position: a batch of hundreds of rows is built between calls, on the same thread.
  const row = new Array<SqlValue>(USAGE_COLUMNS.length);
  row[COLUMN_AT.timestamp] = timestamp;
  row[COLUMN_AT.provider] = text(record.provider satisfies Provider);
  row[COLUMN_AT.model] = call.model;
  row[COLUMN_AT.cache_hit] = record.cacheHit ? 1 : 0;
  row[COLUMN_AT.semantic_hit] = record.semanticHit ? 1 : 0;
  row[COLUMN_AT.cache_key] = typeof record.cacheKey === "string" ? record.cacheKey : null;
  row[COLUMN_AT.prompt] = text(record.prompt).slice(0, 200);
  row[COLUMN_AT.prompt_type] = text(record.promptType satisfies PromptType);
  row[COLUMN_AT.input_tokens] = usage.inputTokens;
  row[COLUMN_AT.output_tokens] = usage.outputTokens;
  row[COLUMN_AT.latency_ms] = amount(record.latencyMs);
  row[COLUMN_AT.embedding_tokens] = tokenCount(record.embedding?.tokens);
  row[COLUMN_AT.namespace] = text(record.namespace);
  row[COLUMN_AT.cached_input_tokens] = usage.cachedInputTokens;
  row[COLUMN_AT.semantic_score] = match && Number.isFinite(match.score) ? match.score : null;
  row[COLUMN_AT.matched_prompt] = match ? text(match.prompt).slice(0, 200) : null;
  row[COLUMN_AT.cache_write_input_tokens] = usage.cacheWriteInputTokens ?? 0;
  row[COLUMN_AT.reasoning_tokens] = usage.reasoningTokens ?? 0;
  row[COLUMN_AT.image_count] = usage.images ? tokenCount(usage.images.count) : 0;
  row[COLUMN_AT.image_size] = usage.images ? text(usage.images.size) : null;
  row[COLUMN_AT.image_quality] = usage.images ? text(usage.images.quality) : null;
  const computed = computedValues(account);
  for (let i = 0; i < COMPUTED_AT.length; i++) row[COMPUTED_AT[i]!] = computed[i]!;
  const check = checkColumns(record.check);
  for (const column of CHECK_COLUMNS) row[COLUMN_AT[column]] = check[column];
  return row;
}

/** The columns that tell one call's row from another's: when it was made, its key and prompt, how long it took. */
const IDENTITY_COLUMNS = ["timestamp", "cache_key", "prompt", "latency_ms"] as const satisfies readonly UsageColumn[];

/** Reads the {@link IDENTITY_COLUMNS} of the row with a given rowid. */
export const ROW_IDENTITY_SELECT = `SELECT ${IDENTITY_COLUMNS.join(", ")} FROM usage_log WHERE id = ?`;

/** Whether `stored` (read by {@link ROW_IDENTITY_SELECT}) is the row of `record`. */
export function isRowOf(stored: Readonly<Record<string, unknown>> | undefined, record: NewUsageRecord): boolean {
  if (!stored) return false;
  const row = toRow(record);
  return IDENTITY_COLUMNS.every((column) => stored[column] === row[COLUMN_AT[column]]);
}

/** Each column's place in a row. */
export const COLUMN_AT: Readonly<Record<UsageColumn, number>> = Object.fromEntries(USAGE_COLUMNS.map((column, index) => [column, index])) as Record<UsageColumn, number>;

const CHECK_COLUMNS = ["semantic_check", "check_agreed", "check_key", "check_score", "check_prompt"] as const satisfies readonly UsageColumn[];

/** An account's {@link COMPUTED_COLUMNS} values, in that order; made once per account (a batch of hits on one entry shares one). */
const computedByAccount = new WeakMap<CallAccount, SqlValue[]>();

function computedValues(account: CallAccount): SqlValue[] {
  let values = computedByAccount.get(account);
  if (!values) {
    const columns = accountColumns(account);
    values = COMPUTED_COLUMNS.map((column) => columns[column]);
    computedByAccount.set(account, values);
  }
  return values;
}

/** The last instant formatted, and how: the calls of one millisecond share it. */
let lastMs = Number.NaN;
let lastIso = "";

/** When the call finished as the log stores it: ISO 8601, UTC. */
export function isoTimestamp(value: string | number): string {
  if (typeof value !== "number") return text(value);
  if (value === lastMs) return lastIso;
  const iso = new Date(value).toISOString();
  lastMs = value;
  lastIso = iso;
  return iso;
}

/**
 * The call last accounted through {@link accountOnce}, with what its account depends on: a batch
 * of hits on one entry accounts the same call over and over, told apart from the last one by
 * comparing these rather than by building the batch's key again.
 */
interface Accounted {
  accounts: Map<string, CallAccount>;
  options: AccountOptions;
  provider: Provider | undefined;
  model: string;
  cacheHit: boolean;
  day: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  cacheWriteInputTokens: number;
  reasoningTokens: number;
  account: CallAccount;
}

let lastAccounted: Accounted | undefined;

/** The account of `call`, computed once per batch for calls that differ only in what it does not depend on. */
function accountOnce(call: AccountedCall & { usage: TokenUsage; timestamp: string }, options: AccountOptions, accounts: Map<string, CallAccount>): CallAccount {
  const { usage } = call;
  // Images and embeddings are rare and carry more parts: computed each time.
  if (usage.images || call.embedding) return accountFor(call, options);
  const cacheWriteInputTokens = usage.cacheWriteInputTokens ?? 0;
  const reasoningTokens = usage.reasoningTokens ?? 0;
  const day = call.timestamp.slice(0, 10);
  const last = lastAccounted;
  if (
    last !== undefined &&
    last.accounts === accounts &&
    last.options === options &&
    last.provider === call.provider &&
    last.model === call.model &&
    last.cacheHit === call.cacheHit &&
    last.inputTokens === usage.inputTokens &&
    last.cachedInputTokens === usage.cachedInputTokens &&
    last.outputTokens === usage.outputTokens &&
    last.cacheWriteInputTokens === cacheWriteInputTokens &&
    last.reasoningTokens === reasoningTokens &&
    last.day === day
  ) {
    return last.account;
  }
  const key = `${call.provider}\u0000${call.model}\u0000${call.cacheHit ? 1 : 0}\u0000${day}\u0000${usage.inputTokens},${usage.cachedInputTokens},${usage.outputTokens},${cacheWriteInputTokens},${reasoningTokens}`;
  let account = accounts.get(key);
  if (!account) accounts.set(key, (account = accountFor(call, options)));
  lastAccounted = { accounts, options, provider: call.provider, model: call.model, cacheHit: call.cacheHit, day, inputTokens: usage.inputTokens, cachedInputTokens: usage.cachedInputTokens, outputTokens: usage.outputTokens, cacheWriteInputTokens, reasoningTokens, account };
  return account;
}

/** The columns a method computes from a row's tokens: what `ecoai recompute` rewrites. */
export const COMPUTED_COLUMNS = [
  "tokens_saved", "cost_saved_usd", "co2_saved_g", "embedding_cost_usd", "cost_usd", "priced", "methodology_version",
  "energy_wh_low", "energy_wh_central", "energy_wh_high", "co2e_g_low", "co2e_g_central", "co2e_g_high", "grid_g_per_kwh", "embedding_co2e_g",
] as const satisfies readonly UsageColumn[];

/** Where each of {@link COMPUTED_COLUMNS} goes in a row. */
const COMPUTED_AT = COMPUTED_COLUMNS.map((column) => COLUMN_AT[column]);

/** An account as the values of {@link COMPUTED_COLUMNS}. */
export function accountColumns(account: CallAccount): Record<(typeof COMPUTED_COLUMNS)[number], SqlValue> {
  return {
    tokens_saved: account.tokensSaved,
    cost_saved_usd: account.costSavedUsd,
    co2_saved_g: account.co2SavedG,
    embedding_cost_usd: account.embeddingCostUsd,
    cost_usd: account.costUsd,
    priced: account.priced ? 1 : 0,
    methodology_version: account.methodologyVersion,
    energy_wh_low: account.energyWh.low,
    energy_wh_central: account.energyWh.central,
    energy_wh_high: account.energyWh.high,
    co2e_g_low: account.co2eG.low,
    co2e_g_central: account.co2eG.central,
    co2e_g_high: account.co2eG.high,
    grid_g_per_kwh: account.gridGPerKwh,
    embedding_co2e_g: account.embeddingCo2eG,
  };
}

const NO_CHECK = Object.freeze({ semantic_check: null, check_agreed: null, check_key: null, check_score: null, check_prompt: null });

/** The columns of a semantic check; all `null` when the call made none. */
function checkColumns(check: SemanticCheckFacts | undefined): Readonly<Record<(typeof CHECK_COLUMNS)[number], SqlValue>> {
  if (!check) return NO_CHECK;
  return {
    semantic_check: check.kind,
    check_agreed: check.agreed ? 1 : 0,
    check_key: text(check.key),
    check_score: Number.isFinite(check.score) ? check.score : null,
    check_prompt: text(check.prompt).slice(0, 200),
  };
}

/**
 * A token count as the log stores it: a whole number from 0 up. Counts come from whatever the
 * provider (or an OpenAI-compatible server) sent, and some send `"n/a"`, `null`, `-1` or `1e400`;
 * an unusable count is recorded as 0 rather than refused, so it can never hold a row back.
 *
 * @example
 * tokenCount("n/a"); // → 0
 * tokenCount("12"); // → 12
 */
export function tokenCount(value: unknown): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) return 0;
  return Math.min(Math.round(n), Number.MAX_SAFE_INTEGER);
}

/** Token counts as they are priced and stored: cache reads and writes never exceed the input, reasoning never the output. */
function cleanUsage(usage: TokenUsage | undefined): TokenUsage {
  const inputTokens = tokenCount(usage?.inputTokens);
  const outputTokens = tokenCount(usage?.outputTokens);
  const cachedInputTokens = Math.min(tokenCount(usage?.cachedInputTokens), inputTokens);
  const clean: TokenUsage = { inputTokens, cachedInputTokens, outputTokens };
  const written = Math.min(tokenCount(usage?.cacheWriteInputTokens), inputTokens - cachedInputTokens);
  if (written > 0) clean.cacheWriteInputTokens = written;
  const reasoning = Math.min(tokenCount(usage?.reasoningTokens), outputTokens);
  if (reasoning > 0) clean.reasoningTokens = reasoning;
  if (usage?.images) clean.images = usage.images;
  return clean;
}

/** A measured amount (latency, dollars, grams), finite; 0 when it is not a number. */
export function amount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** A text column's value: never `"undefined"`, never a value the driver cannot bind. */
function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}
