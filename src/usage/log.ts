import type { Database, SqlValue } from "../sqlite/database.ts";
import type { HistoryQuery, Logger, PromptType, Provider, UsageRecord, UsageSummary } from "../types.ts";
import { openUsageDatabase, USAGE_COLUMNS } from "./schema.ts";
import { queryHistory, querySummary } from "./queries.ts";

/** A call to record, before it has an id. */
export type NewUsageRecord = Omit<UsageRecord, "id"> & { cacheKey: string | null };

export interface UsageLogOptions {
  /** @default ".ecoai/usage.db" */
  path?: string;
  logger: Logger;
  /**
   * Pending rows are written at least this often, in one transaction, off the call's path.
   * @default 250
   */
  flushIntervalMs?: number;
  /**
   * Pending rows that trigger an immediate write.
   * @default 500
   */
  maxPending?: number;
}

/** The usage log: buffered writes to SQLite, flushed on a timer, on `close()` and at process exit. */
export interface UsageLog {
  record(record: NewUsageRecord): void;
  /** Writes pending rows now. Returns false when the database refused them (they stay pending). */
  flush(): boolean;
  summary(): UsageSummary;
  history(query?: HistoryQuery): UsageRecord[];
  close(): void;
}

const openLogs = new Set<UsageLog>();
let exitHookInstalled = false;

/** Writes what every open log still holds when the process exits normally (SQLite writes are synchronous). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const log of openLogs) log.close();
  });
}

/**
 * Opens the usage log at `path`, creating the table and indexes when missing.
 *
 * @example
 * const log = createUsageLog({ path: ".ecoai/usage.db", logger: console });
 * log.summary(); // → { totalCalls: 0, … }
 */
export function createUsageLog(options: UsageLogOptions): UsageLog {
  const db = openUsageDatabase(options.path ?? ".ecoai/usage.db");
  const insert = db.prepare(
    `INSERT INTO usage_log (${USAGE_COLUMNS.join(", ")}) VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})`,
  );
  const maxPending = options.maxPending ?? 500;
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  let pending: SqlValue[][] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failing = false;
  let closed = false;

  function flush(): boolean {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return true;
    const batch = pending;
    try {
      db.transaction(() => {
        for (const row of batch) insert.run(...row);
      });
      pending = pending === batch ? [] : pending.slice(batch.length);
      if (failing) options.logger.warn("[ecoai] usage log writable again; pending rows written.");
      failing = false;
      return true;
    } catch (error) {
      if (!failing) options.logger.warn(`[ecoai] could not write the usage log (${batch.length} rows kept, retrying)`, error);
      failing = true;
      schedule();
      return false;
    }
  }

  let soon: ReturnType<typeof setImmediate> | undefined;
  function scheduleSoon(): void {
    if (soon || closed) return;
    soon = setImmediate(() => {
      soon = undefined;
      flush();
    });
    soon.unref?.();
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(flush, flushIntervalMs);
    // The log must never keep a finished program alive; the exit hook writes what is left.
    (timer as { unref?: () => void }).unref?.();
  }

  const log: UsageLog = {
    record(record) {
      if (closed) throw new Error("[ecoai] the usage log is closed");
      pending.push(toRow(record));
      // A full batch is written on the next turn of the event loop, not inside this call; only a
      // caller that never yields (a tight loop of hits) pays for a write inline, to bound memory.
      if (pending.length >= maxPending * 10) flush();
      else if (pending.length >= maxPending) scheduleSoon();
      else schedule();
    },
    flush,
    summary() {
      flush();
      return querySummary(db);
    },
    history(query = {}) {
      flush();
      return queryHistory(db, query);
    },
    close() {
      if (closed) return;
      // At exit, a writer from another process may hold the lock: keep trying within the busy timeout.
      for (let attempt = 0; attempt < 3 && !flush(); attempt++);
      if (pending.length > 0) options.logger.warn(`[ecoai] ${pending.length} usage rows could not be written to ${options.path ?? ".ecoai/usage.db"}`);
      closed = true;
      if (timer) clearTimeout(timer);
      if (soon) clearImmediate(soon);
      openLogs.delete(log);
      db.close();
    },
  };
  openLogs.add(log);
  installExitHook();
  return log;
}

function toRow(record: NewUsageRecord): SqlValue[] {
  const values: Record<(typeof USAGE_COLUMNS)[number], SqlValue> = {
    timestamp: record.timestamp,
    provider: record.provider satisfies Provider,
    model: record.model,
    cache_hit: record.cacheHit ? 1 : 0,
    semantic_hit: record.semanticHit ? 1 : 0,
    cache_key: record.cacheKey,
    prompt: record.prompt.slice(0, 200),
    prompt_type: record.promptType satisfies PromptType,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    tokens_saved: record.tokensSaved,
    latency_ms: record.latencyMs,
    cost_saved_usd: record.costSavedUsd,
    co2_saved_g: record.co2SavedG,
    embedding_tokens: record.embeddingTokens ?? 0,
    embedding_cost_usd: record.embeddingCostUsd ?? 0,
  };
  return USAGE_COLUMNS.map((column) => values[column]);
}
