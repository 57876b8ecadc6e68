import { existsSync } from "node:fs";
import { defaultDbPath, settingsPathBeside } from "../dashboard/paths.ts";
import { EcoAIError, errorMessage } from "../errors.ts";
import { DEFAULTS } from "../config.ts";
import { openDatabase, type Database } from "../sqlite/database.ts";
import { openUsageDatabase } from "../usage/schema.ts";
import { detectInvocation } from "./invocation.ts";

const CACHE_TABLE = "cache_entries";
const USAGE_TABLE = "usage_log";

/** A command-line mistake: printed with a hint to run `--help`, exit code 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/** A failure the message fully explains (a missing or unreadable file): printed as is, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/**
 * The error for a usage log that exists but cannot be read as one. A runtime with no SQLite
 * driver at all is not the file's fault: that error goes on as it is, to be told as such.
 */
export function unreadableUsageLog(path: string, cause: unknown): Error {
  if (cause instanceof EcoAIError && cause.code === "ECOAI_SQLITE_UNAVAILABLE") return cause;
  return new CliError(`cannot open the usage log ${path}: ${errorMessage(cause)}`);
}

/** Which of ecoai's tables an existing SQLite file holds. */
export interface SqliteContents {
  cache: boolean;
  usageLog: boolean;
  /** Tables of neither: some other application's database. */
  other: boolean;
}

/** Reads the table names of an existing SQLite file; throws the driver's error for a file that is not one. */
export function sqliteContents(path: string): SqliteContents {
  const db = openDatabase(path);
  try {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => String(row.name));
    return {
      cache: names.includes(CACHE_TABLE),
      usageLog: names.includes(USAGE_TABLE),
      other: names.some((name) => name !== CACHE_TABLE && name !== USAGE_TABLE && !name.startsWith("ecoai_") && !name.startsWith("sqlite_")),
    };
  } finally {
    db.close();
  }
}

/**
 * Opens an existing usage log (never creating one at a mistyped path), its schema up to date. A
 * cache file or another application's database is refused, not given a usage table.
 */
export function openUsageLog(path: string): Database {
  if (!existsSync(path)) {
    throw new CliError(`no usage log at ${path} yet. Make some calls through EcoAI (or run "${detectInvocation().command("demo")}"), or pass --db.`);
  }
  let contents: SqliteContents;
  try {
    contents = sqliteContents(path);
  } catch (error) {
    throw unreadableUsageLog(path, error);
  }
  if (!contents.usageLog && contents.cache) {
    throw new CliError(`${path} is an ecoai cache file (EcoAI's sqlitePath), not a usage log. Pass --db with the usage log (EcoAI's logPath, ${DEFAULTS.logPath} by default).`);
  }
  if (!contents.usageLog && contents.other) throw new CliError(`${path} is a SQLite database but not an ecoai usage log (it has no usage_log table). Pass --db with the usage log (EcoAI's logPath).`);
  try {
    return openUsageDatabase(path);
  } catch (error) {
    // The library's message speaks of constructor options; the command's names the cause alone.
    const unreadable = error instanceof EcoAIError && error.code === "ECOAI_USAGE_LOG_UNAVAILABLE";
    throw unreadableUsageLog(path, unreadable ? error.cause : error);
  }
}

/** The usage log a command reads: `--db`, else `$ECOAI_DB_PATH`, else `.ecoai/usage.db`. */
export function usageDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || defaultDbPath(env);
}

/** The settings file: `--settings`, else `settings.json` beside the usage log. */
export function settingsPathFor(dbPath: string, flag: string | undefined): string {
  return flag || settingsPathBeside(dbPath);
}

/** A TCP port from a flag or variable: a whole number from 0 (any free port) to 65535. */
export function parsePort(value: string, from: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new CliUsageError(`${from} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Units of a duration, each unambiguous: `m` (minute or month?) is refused, and so are months and years, which vary. */
const UNITS: Record<string, number> = {
  min: MINUTE, mins: MINUTE, minute: MINUTE, minutes: MINUTE,
  h: HOUR, hour: HOUR, hours: HOUR,
  d: DAY, day: DAY, days: DAY,
  w: 7 * DAY, week: 7 * DAY, weeks: 7 * DAY,
};

/** A duration such as `30d`, `12h`, `90min` or `2w`, in milliseconds. */
export function parseDuration(value: string, from: string): number {
  const match = /^(\d+)\s*([a-z]+)$/i.exec(value.trim());
  const amount = match ? Number(match[1]) : 0;
  const unit = match?.[2]!.toLowerCase() ?? "";
  if (match && amount > 0 && /^(m|mo|mon|mons|month|months|y|yr|yrs|year|years)$/.test(unit)) {
    const hint = unit === "m" ? `"${amount}m" could be minutes or months: write ${amount}min for minutes, or days such as ${amount * 30}d` : `months and years vary in length: write days or weeks, such as 30d or 52w`;
    throw new CliUsageError(`${from} ${JSON.stringify(value)} is ambiguous; ${hint}.`);
  }
  if (!match || amount <= 0 || !Object.hasOwn(UNITS, unit)) {
    throw new CliUsageError(`${from} must be a positive duration such as 30d, 12h, 90min or 2w, got ${JSON.stringify(value)}`);
  }
  return amount * UNITS[unit]!;
}

/** A duration in words: `30 days`, `90 minutes`, `2 weeks`. */
export function describeDuration(ms: number): string {
  const [size, name] = ms % (7 * DAY) === 0 ? [7 * DAY, "week"] : ms % DAY === 0 ? [DAY, "day"] : ms % HOUR === 0 ? [HOUR, "hour"] : [MINUTE, "minute"];
  const count = ms / size;
  return `${count} ${name}${count === 1 ? "" : "s"}`;
}
