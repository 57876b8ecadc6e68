import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { promptMatcher } from "../cache/prompt-pattern.ts";
import { DEFAULTS, resolveConfig } from "../config.ts";
import { errorMessage } from "../errors.ts";
import { createStore } from "../stores/index.ts";
import type { StorageType } from "../types.ts";
import { CliError, CliUsageError, sqliteContents } from "./options.ts";

export const FLUSH_HELP = `Usage: ecoai flush (--all | --model NAME | --pattern GLOB | --namespace NAME) [options]

Removes entries from the cache and prints how many: those a filter selects, or with --all every
entry. The cache is the one EcoAI would open: --storage/--cache, else ECOAI_* variables, else
defaults; a cache file that does not exist is refused, never created.

Options:
  --all              Every entry (required when no filter is given)
  --model NAME       Only entries of this exact model
  --pattern GLOB     Only entries whose prompt matches (case-insensitive glob, e.g. "*refund*")
  --namespace NAME   Only entries of this namespace
  --storage TYPE     sqlite, redis or memory (default: $ECOAI_STORAGE or sqlite)
  --cache PATH       SQLite cache file (default: .ecoai/cache.db)
  --redis-url URL    Redis URL (default: $ECOAI_REDIS_URL)
  -h, --help         Show this help`;

export async function runFlush(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      all: { type: "boolean" },
      model: { type: "string" },
      pattern: { type: "string" },
      namespace: { type: "string" },
      storage: { type: "string" },
      cache: { type: "string" },
      "redis-url": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(FLUSH_HELP);
    return 0;
  }
  const filters = (["model", "pattern", "namespace"] as const).filter((name) => values[name] !== undefined);
  for (const name of filters) {
    if (values[name]!.trim() === "") throw new CliUsageError(`--${name} must not be empty`);
  }
  // Removing everything is never what a forgotten filter should mean.
  if (filters.length === 0 && !values.all) throw new CliUsageError("say what to remove: --all for every entry, or --model, --pattern or --namespace");
  if (filters.length > 0 && values.all) throw new CliUsageError(`--all removes every entry; leave it out to remove only what ${filters.map((name) => `--${name}`).join(" and ")} select${filters.length === 1 ? "s" : ""}`);
  // A pattern ecoai refuses is a usage error, reported before any store is opened.
  const matchPrompt = values.pattern === undefined ? undefined : promptMatcher(values.pattern);
  // The settings file holds no storage option; only constructor-like flags and ECOAI_* variables matter here.
  const config = resolveConfig(
    {
      ...(values.storage === undefined ? {} : { storage: values.storage as StorageType }),
      ...(values.cache === undefined ? {} : { sqlitePath: values.cache }),
      ...(values["redis-url"] === undefined ? {} : { redisUrl: values["redis-url"] }),
    },
    process.env,
    {},
  );
  if (config.storage === "sqlite") refuseNonCache(config.sqlitePath);
  const store = createStore(config);
  const where = config.storage === "sqlite" ? ` (${config.sqlitePath})` : config.storage === "redis" ? ` at ${redisHost(config.redisUrl)}` : "";
  try {
    let removed: number;
    try {
      removed = await store.flush({
        model: values.model,
        namespace: values.namespace,
        matchPrompt,
      });
    } catch (error) {
      const hint = config.storage === "redis" ? " Is the server running, and is --redis-url right?" : "";
      throw new CliError(`could not flush the ${config.storage} cache${where}: ${errorMessage(error)}.${hint}`);
    }
    console.log(`Removed ${removed} entr${removed === 1 ? "y" : "ies"} from the ${config.storage} cache${where}.`);
    return 0;
  } finally {
    await store.close();
  }
}

/** Opening a SQLite cache creates it: a mistyped path must not become an empty cache, nor a usage log a cache. */
function refuseNonCache(path: string): void {
  if (!existsSync(path)) {
    throw new CliError(`no cache file at ${path}; nothing was removed. Pass --cache with the path of an existing cache (EcoAI's sqlitePath, ${DEFAULTS.sqlitePath} by default).`);
  }
  let contents;
  try {
    contents = sqliteContents(path);
  } catch (error) {
    throw new CliError(`cannot open the cache ${path}: ${errorMessage(error)}`);
  }
  if (!contents.cache && contents.usageLog) throw new CliError(`${path} is an ecoai usage log, not a cache; nothing was removed. Pass --cache with the cache file (EcoAI's sqlitePath, ${DEFAULTS.sqlitePath} by default).`);
  if (!contents.cache && contents.other) throw new CliError(`${path} is a SQLite database but not an ecoai cache; nothing was removed.`);
}

/** Host and port of a Redis URL, never its password. */
function redisHost(url: string | undefined): string {
  return url && URL.canParse(url) ? new URL(url).host : "Redis";
}
