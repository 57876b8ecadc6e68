import { parseArgs } from "node:util";
import { errorMessage } from "../errors.ts";
import { promptMatcher } from "../cache/prompt-pattern.ts";
import { resolveConfig } from "../config.ts";
import { readSettings } from "../settings.ts";
import { createStore } from "../stores/index.ts";
import type { StorageType } from "../types.ts";
import { CliError, CliUsageError } from "./options.ts";

export const FLUSH_HELP = `Usage: ecoai flush [options]

Removes entries from the cache, every entry unless a filter narrows it; prints how many.
The cache is the one EcoAI would open: --storage/--cache, else ECOAI_* variables, else defaults.

Options:
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
  for (const name of ["model", "pattern", "namespace"] as const) {
    if (values[name] !== undefined && values[name].trim() === "") throw new CliUsageError(`--${name} must not be empty`);
  }
  // A pattern ecoai refuses is a usage error, reported before any store is opened.
  const matchPrompt = values.pattern === undefined ? undefined : promptMatcher(values.pattern);
  const config = resolveConfig(
    {
      ...(values.storage === undefined ? {} : { storage: values.storage as StorageType }),
      ...(values.cache === undefined ? {} : { sqlitePath: values.cache }),
      ...(values["redis-url"] === undefined ? {} : { redisUrl: values["redis-url"] }),
    },
    process.env,
    readSettings(),
  );
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

/** Host and port of a Redis URL, never its password. */
function redisHost(url: string | undefined): string {
  return url && URL.canParse(url) ? new URL(url).host : "Redis";
}
