import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { EcoAIConfigError } from "./errors.ts";
import type { Mode } from "./types.ts";
import { validBoolean, validMode, validSeconds, validThreshold, type Sourced } from "./validate.ts";

/** The dashboard's settings file. Constructor options and `ECOAI_*` variables win over it. */
export interface EcoAISettings {
  cachingEnabled?: boolean;
  semanticEnabled?: boolean;
  semanticThreshold?: number;
  mode?: Mode;
  ttl?: number;
}

const VALIDATORS: { [K in keyof Required<EcoAISettings>]: (option: string, input: Sourced<unknown>) => EcoAISettings[K] } = {
  cachingEnabled: validBoolean,
  semanticEnabled: validBoolean,
  semanticThreshold: validThreshold,
  mode: validMode,
  ttl: validSeconds,
};

/**
 * Checks a settings object: known fields with valid values. Throws `EcoAIConfigError` naming the
 * field, the value and the file.
 */
export function validateSettings(input: unknown, path: string): EcoAISettings {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new EcoAIConfigError("settings", input, `settings file ${path}`, "expected a JSON object.");
  }
  const settings: EcoAISettings = {};
  for (const [field, value] of Object.entries(input)) {
    // Own keys only: "constructor" or "toString" must not find Object.prototype's functions.
    const validate = Object.hasOwn(VALIDATORS, field) ? VALIDATORS[field as keyof EcoAISettings] : undefined;
    if (!validate) {
      throw new EcoAIConfigError(field, value, `settings file ${path}`, `unknown setting; expected one of ${Object.keys(VALIDATORS).join(", ")}.`);
    }
    if (value === undefined) continue;
    (settings as Record<string, unknown>)[field] = validate(field, { value, source: `settings file ${path}` });
  }
  return settings;
}

/**
 * Reads and validates the settings file; `{}` when it does not exist.
 *
 * @example
 * readSettings(".ecoai/settings.json"); // → { mode: "prod", ttl: 600 }
 */
export function readSettings(path: string = ".ecoai/settings.json"): EcoAISettings {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EcoAIConfigError("settings", text.slice(0, 40), `settings file ${path}`, `not valid JSON (${(error as Error).message}).`);
  }
  return validateSettings(parsed, path);
}

/**
 * Merges `partial` into the settings file and writes it atomically (temporary file, then rename),
 * so a reader never sees half a file. A field set to `undefined` is removed. Returns the new settings.
 *
 * @example
 * writeSettings(".ecoai/settings.json", { mode: "prod", ttl: 600 });
 */
export function writeSettings(path: string, partial: EcoAISettings): EcoAISettings {
  const next = validateSettings({ ...readSettings(path), ...partial }, path);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(temporary, path);
  return next;
}
