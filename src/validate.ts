import { EcoAIConfigError, type ConfigSource } from "./errors.ts";
import type { Mode, ReplayMode, StorageType } from "./types.ts";

export const MODES: readonly Mode[] = ["dev", "prod"];
export const STORAGE_TYPES: readonly StorageType[] = ["sqlite", "redis", "memory"];

/** A value and where it came from, so an error can say both. */
export interface Sourced<T> {
  value: T;
  source: ConfigSource;
}

export function validMode(option: string, input: Sourced<unknown>): Mode {
  if (MODES.includes(input.value as Mode)) return input.value as Mode;
  throw new EcoAIConfigError(option, input.value, input.source, `expected "dev" or "prod".`);
}

/** How a hit replays a stream (see `ReplayMode`). */
export function validReplay(option: string, input: Sourced<unknown>): ReplayMode {
  if (input.value === "instant" || input.value === "recorded") return input.value;
  throw new EcoAIConfigError(option, input.value, input.source, `expected "instant" (every event at once) or "recorded" (with the gaps it was recorded with).`);
}

export function validStorage(option: string, input: Sourced<unknown>): StorageType {
  if (STORAGE_TYPES.includes(input.value as StorageType)) return input.value as StorageType;
  throw new EcoAIConfigError(option, input.value, input.source, `expected "sqlite", "redis" or "memory".`);
}

/** Only environment variables are text; everywhere else a number must be a number and a boolean a boolean. */
function fromEnvironment(input: Sourced<unknown>): boolean {
  return input.source.startsWith("environment variable ");
}

/**
 * The longest TTL accepted: ten years. Longer is no different from "never expire" (dev mode) and
 * overflows what stores can set (Redis `PEXPIRE` refuses it, so such entries would never expire).
 */
export const MAX_TTL_SECONDS = 10 * 365 * 86_400;

/** A TTL in seconds: a number from 0 to {@link MAX_TTL_SECONDS} (strings from the environment are parsed). */
export function validSeconds(option: string, input: Sourced<unknown>): number {
  const value = fromEnvironment(input) && typeof input.value === "string" && input.value.trim() !== "" ? Number(input.value) : input.value;
  if (typeof value === "number" && value > MAX_TTL_SECONDS) {
    throw new EcoAIConfigError(option, input.value, input.source, `expected at most ${MAX_TTL_SECONDS} seconds (ten years); for entries that never expire, use dev mode.`);
  }
  if (typeof value === "number" && value >= 0) return value;
  throw new EcoAIConfigError(option, input.value, input.source, "expected a number of seconds ≥ 0.");
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

/** A boolean, or from the environment one of true/false, 1/0, yes/no, on/off. */
export function validBoolean(option: string, input: Sourced<unknown>): boolean {
  if (typeof input.value === "boolean") return input.value;
  if (typeof input.value === "string" && fromEnvironment(input)) {
    const word = input.value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  throw new EcoAIConfigError(option, input.value, input.source, "expected true or false.");
}

/** A similarity threshold between 0 and 1. */
export function validThreshold(option: string, input: Sourced<unknown>): number {
  const value = input.value;
  if (typeof value === "number" && value >= 0 && value <= 1) return value;
  throw new EcoAIConfigError(option, value, input.source, "expected a number from 0 to 1.");
}

export function validNonEmptyString(option: string, input: Sourced<unknown>, what: string): string {
  if (typeof input.value === "string" && input.value.trim() !== "") return input.value;
  throw new EcoAIConfigError(option, input.value, input.source, `expected ${what}.`);
}

/** A `redis://` or `rediss://` URL. */
export function validRedisUrl(option: string, input: Sourced<unknown>): string {
  const value = validNonEmptyString(option, input, 'a URL such as "redis://127.0.0.1:6379"');
  if (!URL.canParse(value) || !["redis:", "rediss:"].includes(new URL(value).protocol)) {
    throw new EcoAIConfigError(option, value, input.source, 'expected a redis:// or rediss:// URL such as "redis://127.0.0.1:6379".');
  }
  return value;
}
