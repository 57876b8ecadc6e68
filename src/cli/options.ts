import { existsSync } from "node:fs";
import { defaultDbPath, settingsPathBeside } from "../dashboard/paths.ts";
import { EcoAIError, errorMessage } from "../errors.ts";
import type { Database } from "../sqlite/database.ts";
import { openUsageDatabase } from "../usage/schema.ts";

/** A command-line mistake: printed with a hint to run `--help`, exit code 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/** A failure the message fully explains (a missing or unreadable file): printed as is, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/** The error for a usage log that exists but cannot be read as one. */
export function unreadableUsageLog(path: string, cause: unknown): CliError {
  return new CliError(`cannot open the usage log ${path}: ${errorMessage(cause)}`);
}

/** Opens an existing usage log (never creating one at a mistyped path), its schema up to date. */
export function openUsageLog(path: string): Database {
  if (!existsSync(path)) {
    throw new CliError(`no usage log at ${path} yet. Make some calls through EcoAI (or run "ecoai demo"), or pass --db.`);
  }
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

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration such as `30d`, `12h`, `90m` or `2w`, in milliseconds. */
export function parseDuration(value: string, from: string): number {
  const match = /^(\d+)([mhdw])$/.exec(value.trim());
  const amount = match ? Number(match[1]) : 0;
  if (!match || amount <= 0) {
    throw new CliUsageError(`${from} must be a positive duration such as 30d, 12h, 90m or 2w, got ${JSON.stringify(value)}`);
  }
  return amount * UNITS[match[2]!]!;
}
