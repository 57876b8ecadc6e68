import { EcoAIError } from "../errors.ts";
import { CALL_PATH_BUSY_TIMEOUT_MS, CLOSING_BUSY_TIMEOUT_MS, openDatabase, type Database, type Row, type SqlValue, type Statement } from "../sqlite/database.ts";
import { isLockedOut } from "../sqlite/errors.ts";
import { eventLoopHeld, nextTurn } from "../sqlite/event-loop.ts";
import { createReopeningFile } from "../sqlite/reopening-file.ts";
import { tokenCount } from "../usage/row.ts";
import { ensureCacheSchema, prepareKeyFilter } from "./sqlite-schema.ts";
import { createSqliteKeyFilter, type KeyFilterStatements } from "./sqlite-key-filter.ts";
import type { PromptType, Provider } from "../types.ts";
import type { CacheEntry, Store, StoreFlushFilter, StoreWrite } from "./store.ts";
import { codesOfKeys, fromBlob, LIST_CODES, listCodeBatches, toBlob, UPSERT_CODE, type ReadRows } from "./sqlite-vectors.ts";
import { encodeVector } from "../cache/vector-code.ts";
import { createSqliteMemo } from "./sqlite-memo.ts";

export interface SqliteStoreOptions {
  /**
   * The cache file; created with its folder when missing. Several processes may share it.
   * @default ".ecoai/cache.db"
   */
  path?: string;
  /**
   * How long an operation waits for another process's lock before it fails (and the call goes to
   * the provider): SQLite waits block the event loop, so this stays short.
   * @default 5
   */
  busyTimeoutMs?: number;
}

/**
 * Expired entries each write deletes at most, per entry it writes (and at least
 * {@link MIN_PURGED_PER_WRITE}): twice what it adds, so the file shrinks back as entries expire,
 * while a wave of expiries (a burst written together, an hour later) costs each write a few
 * hundred microseconds rather than one write tens of milliseconds (5,000 at once took 44-73 ms).
 * Opening the file deletes every expired entry.
 */
const PURGED_PER_ENTRY = 2;
const MIN_PURGED_PER_WRITE = 4;

interface Connection {
  db: Database;
  select: Statement;
  upsert: Statement;
  purgeExpired: Statement;
  /** Expired entries, at most `?2` of them. */
  purgeSomeExpired: Statement;
  /** A row when some entry has expired by `?`. */
  anyExpired: Statement;
  upsertCode: Statement;
  vectors: Statement;
  /** The vector listing's statements, prepared when first used. */
  pages: Record<string, Statement>;
  remove: Statement;
  /** The key filter's statements; undefined when the table keeps no count of moved keys. */
  keys: KeyFilterStatements | undefined;
}

/**
 * The default store: one SQLite file (WAL) that survives restarts and is shared by every process
 * that opens it. Another process's lock is waited for a few milliseconds at most (then the
 * operation fails and the engine calls the provider). A file that cannot be opened, or that stops
 * working while open (truncated, overwritten, its table dropped), makes operations fail with the
 * cause until opening the path again works (at most once a second): a truncated file starts
 * afresh, a foreign one is never touched.
 *
 * @example
 * const eco = new EcoAI({ client, storage: "sqlite", sqlitePath: ".ecoai/cache.db" });
 */
export function createSqliteStore(options: SqliteStoreOptions = {}): Store {
  const path = options.path ?? ".ecoai/cache.db";
  const busyTimeoutMs = options.busyTimeoutMs ?? CALL_PATH_BUSY_TIMEOUT_MS;
  const file = createReopeningFile(path, () => openConnection(path, busyTimeoutMs));
  let closed = false;
  /** Entries read lately, served while nothing has been committed to the file since (see sqlite-memo.ts). */
  const memo = createSqliteMemo();
  /** The file's keys, so that a miss is answered without SQLite (see sqlite-key-filter.ts). */
  const keys = createSqliteKeyFilter((work) => use(work));

  function assertOpen(): void {
    if (closed) throw new Error("the SQLite store is closed");
  }

  function use<T>(work: (c: Connection) => T, writes = false): T {
    assertOpen();
    return file.use(work, writes);
  }

  /** Writes entries in one transaction (synchronously: the exit hooks rely on it). */
  function writeEntries(writes: readonly StoreWrite[]): void {
    // Encoded before the write, so the transaction holds the lock no longer than the inserts.
    const rows = writes.map(({ entry, ttlSeconds }) => ({ entry, values: entryValues(entry, ttlSeconds), code: entry.semantic ? encodeVector(entry.semantic.vector) : undefined }));
    assertOpen();
    let written: Connection | undefined;
    let keysCurrent = false;
    file.transaction((c) => {
      written = c;
      keysCurrent = keys.writing(c);
      // Prod-mode entries past their TTL would otherwise stay in the file for good when their
      // request never comes again (a request that does come again replaces its entry). Before
      // the new rows: a write never deletes what it writes, such as an entry written with a TTL
      // of 0, which dev mode still serves.
      // Looked for first: with nothing expired (always so in dev mode) the probe is an empty
      // index range, while the delete still builds its list of keys (about 20 µs a write).
      const now = Date.now();
      if (c.anyExpired.get(now)) c.purgeSomeExpired.run(now, Math.max(MIN_PURGED_PER_WRITE, PURGED_PER_ENTRY * rows.length));
      for (const { entry, values, code } of rows) {
        c.upsert.run(...values);
        if (code) c.upsertCode.run(entry.key, entry.semantic!.scope, entry.createdAt, code);
      }
    });
    keys.wrote(written!, writes.map(({ entry }) => entry.key), keysCurrent);
  }

  try {
    file.connection();
  } catch (error) {
    if (error instanceof EcoAIError) throw error;
    // Reported by the engine at the first call, as any other fault.
  }

  /** The entry of `key`, read now: SQLite's reads are synchronous. */
  function lookup(key: string): CacheEntry | undefined {
    assertOpen();
    const connection = file.current;
    const remembering = memo.wants(key) && memo.open(connection?.db);
    if (remembering) {
      const known = memo.get(key);
      if (known) return known;
    }
    if (keys.absent(connection, key)) return undefined;
    let row: Row | undefined;
    try {
      row = use((c) => c.select.get(key));
    } catch (error) {
      memo.forget();
      throw error;
    }
    if (!row) return undefined;
    const entry = toEntry(row);
    if (remembering && file.current === connection) memo.remember(connection!.db, key, entry);
    return entry;
  }

  /** Every call reads here first: the one place a loop of hits would otherwise never yield. */
  function readNow(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    return eventLoopHeld() ? nextTurn().then(() => lookup(key)) : lookup(key);
  }

  /** Rows of a vector listing's statement, prepared once a connection: the file may be reopened between batches. */
  const readRows: ReadRows = (sql, params) => use((c) => (c.pages[sql] ??= c.db.prepare(sql)).all(...params));

  return {
    name: "sqlite",
    location: path,
    async get(key) {
      return readNow(key);
    },
    getNow: readNow,
    async set(entry, { ttlSeconds } = {}) {
      writeEntries([{ entry, ttlSeconds }]);
    },
    async setMany(writes) {
      if (writes.length > 0) writeEntries(writes);
    },
    writesWait: () => file.checkpointing(),
    async vectorsSince(scope, since) {
      // One query over the codes table: small rows, in write order through its index.
      return use((c) => c.vectors.all(scope, since)).map((row) => ({ key: row.key as string, createdAt: Number(row.created_at), code: row.code as Uint8Array }));
    },
    async vectorBatchesSince(scope, since, each, { headsOnly = false } = {}) {
      await listCodeBatches(readRows, scope, since, each, headsOnly);
    },
    async vectorCodes(keys, each) {
      codesOfKeys(readRows, keys, each);
    },
    async delete(key) {
      return use((c) => c.remove.run(key), true) > 0;
    },
    async flush(filter: StoreFlushFilter = {}) {
      // Asked for by the application, not on a call's path: worth waiting for a peer's write.
      assertOpen();
      const { db } = file.connection();
      db.setBusyTimeout(CLOSING_BUSY_TIMEOUT_MS);
      try {
        return file.transaction((c) => flushEntries(c, filter));
      } finally {
        db.setBusyTimeout(busyTimeoutMs);
      }
    },
    async close() {
      closed = true;
      memo.forget();
      keys.forget();
      file.close();
    },
  };
}

/** The values of the upsert statement for one entry, in its column order. */
function entryValues(entry: CacheEntry, ttlSeconds: number | undefined): SqlValue[] {
  const expiresAt = ttlSeconds !== undefined && Number.isFinite(ttlSeconds) ? entry.createdAt + ttlSeconds * 1000 : null;
  return [
    entry.key,
    entry.namespace,
    entry.provider,
    entry.endpoint,
    entry.model,
    entry.prompt,
    entry.promptType,
    entry.body,
    tokenCount(entry.usage.inputTokens),
    tokenCount(entry.usage.cachedInputTokens),
    tokenCount(entry.usage.outputTokens),
    entry.createdAt,
    entry.semantic?.scope ?? null,
    entry.semantic ? toBlob(entry.semantic.vector) : null,
    expiresAt,
    entry.evidence ?? null,
  ];
}

/** Opens the file, creating or upgrading the table when needed, and prepares the statements. */
function openConnection(path: string, busyTimeoutMs: number): Connection {
  const db = openDatabase(path, { busyTimeoutMs });
  try {
    ensureCacheSchema(db);
    const connection: Connection = {
      db,
      select: db.prepare("SELECT * FROM cache_entries WHERE key = ?"),
      upsert: db.prepare(
        `INSERT OR REPLACE INTO cache_entries
           (key, namespace, provider, endpoint, model, prompt, prompt_type, body, input_tokens, cached_input_tokens, output_tokens, created_at, scope, vector, expires_at, evidence)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      purgeExpired: db.prepare("DELETE FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= ?"),
      // By key, which both layouts of the table have (one kept from an earlier version has no rowid).
      purgeSomeExpired: db.prepare("DELETE FROM cache_entries WHERE key IN (SELECT key FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)"),
      anyExpired: db.prepare("SELECT 1 AS found FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT 1"),
      upsertCode: db.prepare(UPSERT_CODE),
      vectors: db.prepare(LIST_CODES),
      pages: {},
      remove: db.prepare("DELETE FROM cache_entries WHERE key = ?"),
      keys: prepareKeyFilter(db),
    };
    purge(connection);
    return connection;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Housekeeping: skipped when a peer holds the lock, done at a later write. */
function purge(connection: Connection): void {
  try {
    connection.purgeExpired.run(Date.now());
  } catch (error) {
    if (!isLockedOut(error)) throw error;
  }
}

/** Removes the entries `filter` names; in a transaction the caller opens. */
function flushEntries({ db, remove }: Connection, filter: StoreFlushFilter): number {
  const where: string[] = [];
  const params: SqlValue[] = [];
  for (const column of ["model", "namespace"] as const) {
    const value = filter[column];
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  const clause = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  if (!filter.matchPrompt) return db.prepare(`DELETE FROM cache_entries${clause}`).run(...params);
  const candidates = db.prepare(`SELECT key, prompt FROM cache_entries${clause}`).all(...params);
  let removed = 0;
  for (const row of candidates) {
    if (filter.matchPrompt(String(row.prompt))) removed += remove.run(row.key as string);
  }
  return removed;
}

function toEntry(row: Row): CacheEntry {
  return {
    key: String(row.key),
    body: String(row.body),
    createdAt: Number(row.created_at),
    provider: String(row.provider) as Provider,
    endpoint: String(row.endpoint),
    model: String(row.model),
    namespace: String(row.namespace),
    prompt: String(row.prompt),
    promptType: String(row.prompt_type) as PromptType,
    usage: {
      inputTokens: Number(row.input_tokens),
      cachedInputTokens: Number(row.cached_input_tokens),
      outputTokens: Number(row.output_tokens),
    },
    ...(row.scope !== null && row.vector instanceof Uint8Array ? { semantic: { scope: String(row.scope), vector: fromBlob(row.vector) } } : {}),
    ...(typeof row.evidence === "string" ? { evidence: row.evidence } : {}),
  };
}
