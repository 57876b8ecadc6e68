/**
 * Errors thrown by ecoai itself. Errors of the wrapped SDK are re-thrown unchanged, never wrapped.
 * @module
 */

/** Machine-readable reason of an {@link EcoAIError}. */
export type EcoAIErrorCode =
  | "ECOAI_CONFIG"
  | "ECOAI_UNSUPPORTED_CLIENT"
  | "ECOAI_SQLITE_UNAVAILABLE"
  | "ECOAI_STORAGE_UNAVAILABLE"
  | "ECOAI_USAGE_LOG_UNAVAILABLE"
  | "ECOAI_CLOSED"
  | "ECOAI_SDK_UNAVAILABLE"
  | "ECOAI_LANGCHAIN_ENDPOINT_UNKNOWN";

/** Base class of every error ecoai throws. */
export class EcoAIError extends Error {
  override name = "EcoAIError";
  readonly code: EcoAIErrorCode;

  constructor(code: EcoAIErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[ecoai] ${message}`, options);
    this.code = code;
  }
}

/** Where a configuration value came from, named in error messages. */
export type ConfigSource =
  | "constructor option"
  | "per-call option"
  | `${string}() argument`
  | `environment variable ${string}`
  | `settings file ${string}`;

/**
 * An option has a value ecoai cannot use. The message names the option, the value, where it came
 * from and what is accepted.
 *
 * @example
 * try { new EcoAI({ client, mode: "staging" as never }) }
 * catch (e) { if (e instanceof EcoAIConfigError) console.error(e.option, e.source) }
 */
export class EcoAIConfigError extends EcoAIError {
  override name = "EcoAIConfigError";
  readonly option: string;
  readonly value: unknown;
  readonly source: ConfigSource;
  /** What is accepted instead, e.g. `expected "dev" or "prod".` */
  readonly expected: string;

  constructor(option: string, value: unknown, source: ConfigSource, expected: string, code: EcoAIErrorCode = "ECOAI_CONFIG") {
    super(code, `Invalid ${option} ${describeValue(value)} (from ${source}): ${expected}`);
    this.option = option;
    this.value = value;
    this.source = source;
    this.expected = expected;
  }
}

/**
 * A method was called on an instance after `close()`: its files and connections are released.
 *
 * @example
 * await eco.close();
 * await eco.summary(); // throws EcoAIClosedError, code "ECOAI_CLOSED", method "summary"
 */
export class EcoAIClosedError extends EcoAIError {
  override name = "EcoAIClosedError";
  /** The member that was called, e.g. `"summary"` or `"chat.completions.create"`. */
  readonly method: string;

  constructor(method: string) {
    super("ECOAI_CLOSED", `${method}() was called after close(); this EcoAI instance has released its cache and usage log. Create a new EcoAI to go on.`);
    this.method = method;
  }
}

/** The message of anything thrown, without the "[ecoai] " prefix, for a reader that names itself. */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^\[ecoai\] /, "");
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (typeof value === "function") return "(a function)";
  const name = (value as object).constructor?.name;
  return name && name !== "Object" ? `(an instance of ${name})` : "(an object)";
}
