import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { EcoAIError } from "../errors.ts";
import { connectionClosed, connectionOpened } from "./wal-header.ts";

/** SQLite values as ecoai binds and reads them. */
export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, SqlValue>;

/** A prepared statement, the same under every driver. */
export interface Statement {
  /** Returns the number of rows changed. */
  run(...params: SqlValue[]): number;
  /**
   * `run(...values)` without spreading `values` into arguments where the driver binds an array
   * (bun:sqlite): an insert of many rows binds hundreds of values, and each spread copies them all.
   */
  runValues(values: readonly SqlValue[]): number;
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  /**
   * The rows one at a time as SQLite steps to them, so a large result is never held whole
   * (all at once under a driver without a row iterator). Read it to the end before the next
   * statement runs.
   */
  iterate(...params: SqlValue[]): Iterable<Row>;
}

/** The small part of a SQLite driver ecoai uses; the only code that knows which driver runs. */
export interface Database {
  /** `bun:sqlite`, `node:sqlite` or `better-sqlite3`. */
  readonly driver: string;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** The file's absolute path, for reading its WAL-index header (see wal-header.ts); undefined for `:memory:`. */
  readonly file: string | undefined;
  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction, so writers queue on the busy timeout instead of failing mid-way. */
  transaction<T>(fn: () => T): T;
  /** How long the next statements wait for another process's lock before failing with `SQLITE_BUSY`. */
  setBusyTimeout(ms: number): void;
  close(): void;
}

/**
 * How long work that holds up calls (a cache read or write, a usage-log write between calls: all
 * SQLite work is synchronous and stops the event loop while it waits) waits for another process's
 * lock. Past it, the work counts as a storage fault: the call goes on without the cache, rows stay
 * pending.
 */
export const CALL_PATH_BUSY_TIMEOUT_MS = 5;

/** How long `close()` and the exit path wait for a lock, once, before reporting what they could not write. */
export const CLOSING_BUSY_TIMEOUT_MS = 1000;

export interface OpenDatabaseOptions {
  /**
   * How long a write waits for another process's write lock before failing.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

const require = createRequire(import.meta.url);

/**
 * Opens (creating it and its folder if needed) a SQLite file in WAL mode with a busy timeout,
 * through `bun:sqlite` under Bun, else `node:sqlite`, else `better-sqlite3`.
 *
 * @throws EcoAIError `ECOAI_SQLITE_UNAVAILABLE` on a Node with no usable driver (none installed,
 * one whose native build is missing, or better-sqlite3 13 on Node 20), saying what to install.
 *
 * @example
 * const db = openDatabase(".ecoai/cache.db");
 * db.prepare("SELECT 1 AS one").get(); // → { one: 1 }
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = openWithDriver(path);
  if (path !== ":memory:") registerFile(db, path);
  try {
    db.setBusyTimeout(options.busyTimeoutMs ?? 5000);
    // Never memory-mapped: pages mapped past the end of a file that another process truncates
    // kill the process with SIGBUS; read calls see a short file as an error instead.
    db.exec("PRAGMA mmap_size = 0");
    if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Counts the connection against its file until it is closed, so that the descriptor wal-header.ts
 * reads through is never closed (releasing this process's locks on the file) while it is open.
 */
function registerFile(db: Database, path: string): void {
  const name = connectionOpened(path);
  const close = db.close;
  let open = true;
  Object.assign(db, {
    file: name,
    close() {
      close();
      if (open) connectionClosed(name);
      open = false;
    },
  });
}

function openWithDriver(path: string): Database {
  if (process.versions.bun) return wrap("bun:sqlite", new (require("bun:sqlite").Database)(path, { create: true, strict: true }), true, true);
  // node:sqlite exists from Node 22.5 (unflagged from 22.13); on older Node requiring it throws.
  const nodeSqlite = tryRequire("node:sqlite", () => true);
  if (nodeSqlite?.DatabaseSync) return wrap("node:sqlite", new nodeSqlite.DatabaseSync(path), false);
  refuseBetterSqliteTooNew();
  const BetterSqlite = tryRequire("better-sqlite3", isNotInstalled("better-sqlite3"));
  if (BetterSqlite) return wrap("better-sqlite3", openBetterSqlite(BetterSqlite, path), false);
  throw new EcoAIError(
    "ECOAI_SQLITE_UNAVAILABLE",
    `No SQLite driver for Node ${process.versions.node}: \`npm install better-sqlite3@12\`, or use a Node with node:sqlite (22.13+), or run under Bun. Or pass storage: "memory" and logUsage: false.`,
  );
}

/** better-sqlite3 13 needs Node 22; on Node 20 it installs, then crashes the process, so it is never loaded there. */
function refuseBetterSqliteTooNew(): void {
  const manifest = tryRequire("better-sqlite3/package.json", isNotInstalled("better-sqlite3/package.json")) as { version?: string } | undefined;
  const major = Number(manifest?.version?.split(".")[0]);
  if (major >= 13 && Number(process.versions.node.split(".")[0]) < 22) {
    throw new EcoAIError(
      "ECOAI_SQLITE_UNAVAILABLE",
      `better-sqlite3 ${manifest!.version} needs Node 22 or later and crashes Node ${process.versions.node}: \`npm install better-sqlite3@12\`.`,
    );
  }
}

/** A package that is installed but fails to load is reported, not skipped. */
function tryRequire(name: string, absent: (error: unknown) => boolean): any {
  try {
    return require(name);
  } catch (error) {
    if (absent(error)) return undefined;
    throw doesNotLoad(name, error);
  }
}

/** better-sqlite3 loads its native binding on first open: missing (install script skipped) or built for another Node. */
function openBetterSqlite(BetterSqlite: new (path: string) => NativeDatabase, path: string): NativeDatabase {
  try {
    return new BetterSqlite(path);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === "ERR_DLOPEN_FAILED" || String(message).includes("Could not locate the bindings file")) throw doesNotLoad("better-sqlite3", error);
    throw error;
  }
}

function doesNotLoad(name: string, cause: unknown): EcoAIError {
  const reason = String((cause as { message?: unknown }).message ?? cause).split("\n")[0]!.replace(/\s*Tried:$/, "");
  return new EcoAIError(
    "ECOAI_SQLITE_UNAVAILABLE",
    `${name} is installed but does not load on Node ${process.versions.node} (${reason}). Reinstall it for this Node with its install script allowed (on Node 20: \`npm install better-sqlite3@12\`).`,
    { cause },
  );
}

/** True only when `name` itself is missing, not when one of its own files or dependencies is. */
function isNotInstalled(name: string): (error: unknown) => boolean {
  return (error) => {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return code === "MODULE_NOT_FOUND" && String(message).includes(`'${name}'`);
  };
}

interface NativeStatement {
  /** bun:sqlite (and better-sqlite3) also bind an array of values given as the only argument. */
  run(...params: SqlValue[] | [readonly SqlValue[]]): unknown;
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
  /** bun:sqlite, better-sqlite3 and node:sqlite from 22.13. */
  iterate?(...params: SqlValue[]): Iterable<unknown>;
  /** bun:sqlite: a statement left unfinalized keeps its connection open (and its locks held) after close. */
  finalize?(): void;
}

interface NativeDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): NativeStatement;
  close(): unknown;
}

/**
 * bun:sqlite returns `null` for no row; the others return `undefined`. Statements are prepared once
 * per SQL text and finalized on close: a connection with a statement left over stays open after
 * close, holding its locks, and a file that was damaged under it could then not be opened again.
 */
function wrap(driver: string, native: NativeDatabase, nullForNoRow: boolean, bindsArrays = false): Database {
  const prepared = new Map<string, { native: NativeStatement; statement: Statement }>();
  const statement = (sql: string): Statement => {
    const known = prepared.get(sql);
    if (known) return known.statement;
    const compiled = native.prepare(sql);
    const made = wrapStatement(compiled, nullForNoRow, bindsArrays);
    prepared.set(sql, { native: compiled, statement: made });
    return made;
  };
  let depth = 0;
  return {
    driver,
    file: undefined as string | undefined,
    exec: (sql) => void native.exec(sql),
    prepare: statement,
    transaction(fn) {
      if (depth > 0) return fn();
      native.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const result = fn();
        native.exec("COMMIT");
        return result;
      } catch (error) {
        try {
          native.exec("ROLLBACK");
        } catch {
          // The transaction may already be rolled back by SQLite (e.g. SQLITE_FULL).
        }
        throw error;
      } finally {
        depth--;
      }
    },
    setBusyTimeout: (ms) => void native.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(ms))}`),
    close() {
      for (const { native: compiled } of prepared.values()) compiled.finalize?.();
      prepared.clear();
      native.close();
    },
  };
}

/** `bindsArrays`: the driver binds an array given as the only argument value by value (bun:sqlite). */
function wrapStatement(prepared: NativeStatement, nullForNoRow: boolean, bindsArrays: boolean): Statement {
  const changes = (result: unknown) => Number((result as { changes?: number | bigint }).changes ?? 0);
  return {
    run: (...params) => changes(prepared.run(...params)),
    runValues: bindsArrays ? (values) => changes(prepared.run(values)) : (values) => changes(prepared.run(...values)),
    get: nullForNoRow ? (...params) => (prepared.get(...params) as Row | null) ?? undefined : (...params) => prepared.get(...params) as Row | undefined,
    all: (...params) => prepared.all(...params) as Row[],
    iterate: prepared.iterate ? (...params) => prepared.iterate!(...params) as Iterable<Row> : (...params) => prepared.all(...params) as Row[],
  };
}
