import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DEFAULTS } from "./config.ts";
import { EcoAIConfigError } from "./errors.ts";
import type { Mode } from "./types.ts";
import { validFootprintOption } from "./usage/footprint-config.ts";
import { validBoolean, validMode, validSeconds, validThreshold, type Sourced } from "./validate.ts";

/** The dashboard's settings file. Constructor options and `ECOAI_*` variables win over it. */
export interface EcoAISettings {
  cachingEnabled?: boolean;
  semanticEnabled?: boolean;
  semanticThreshold?: number;
  mode?: Mode;
  ttl?: number;
  /** Grid carbon intensity, g CO₂e per kWh (see the `gridIntensityGPerKwh` option). */
  gridIntensityGPerKwh?: number;
  /** Grid region (see the `gridRegion` option). */
  gridRegion?: string;
  /** Embodied emissions on or off (see the `embodiedEmissions` option). */
  embodiedEmissions?: boolean;
}

const VALIDATORS: { [K in keyof Required<EcoAISettings>]: (option: string, input: Sourced<unknown>) => EcoAISettings[K] } = {
  cachingEnabled: validBoolean,
  semanticEnabled: validBoolean,
  semanticThreshold: validThreshold,
  mode: validMode,
  ttl: validSeconds,
  gridIntensityGPerKwh: (option, input) => validFootprintOption("gridIntensityGPerKwh", input.value, input.source),
  gridRegion: (option, input) => validFootprintOption("gridRegion", input.value, input.source),
  embodiedEmissions: (option, input) => validFootprintOption("embodiedEmissions", input.value, input.source),
};

/** A settings file as a running `EcoAI` reads it: every usable field, and what is wrong with the rest. */
export interface LoadedSettings {
  /** The usable fields; `undefined` when the file as a whole is unusable (unreadable, not JSON, not an object). */
  settings: EcoAISettings | undefined;
  /** One error per unusable field, or one for the whole file. */
  problems: EcoAIConfigError[];
}

/** Sorts the fields of a parsed settings file into usable ones and problems. */
function checkSettings(input: unknown, path: string): LoadedSettings {
  const source = `settings file ${path}` as const;
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { settings: undefined, problems: [new EcoAIConfigError("settings", input, source, "expected a JSON object.")] };
  }
  const settings: EcoAISettings = {};
  const problems: EcoAIConfigError[] = [];
  for (const [field, value] of Object.entries(input)) {
    // Own keys only: "constructor" or "toString" must not find Object.prototype's functions.
    const validate = Object.hasOwn(VALIDATORS, field) ? VALIDATORS[field as keyof EcoAISettings] : undefined;
    if (!validate) {
      problems.push(new EcoAIConfigError(field, value, source, `unknown setting; expected one of ${Object.keys(VALIDATORS).join(", ")}.`));
      continue;
    }
    if (value === undefined) continue;
    try {
      (settings as Record<string, unknown>)[field] = validate(field, { value, source });
    } catch (error) {
      if (!(error instanceof EcoAIConfigError)) throw error;
      problems.push(error);
    }
  }
  return { settings, problems };
}

/**
 * Checks a settings object: known fields with valid values. Throws `EcoAIConfigError` naming the
 * field, the value and the file.
 */
export function validateSettings(input: unknown, path: string): EcoAISettings {
  const { settings, problems } = checkSettings(input, path);
  if (problems[0]) throw problems[0];
  return settings!;
}

/**
 * Reads the settings file without ever throwing for what it holds: a missing file is `{}`, an
 * unusable field is left out and reported in `problems`. This is how a running `EcoAI` reads the
 * file a UI writes: a bad value there must never stop an app.
 */
export function loadSettings(path: string): LoadedSettings {
  const source = `settings file ${path}` as const;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { settings: {}, problems: [] };
    const reason = code === "EISDIR" ? "it is a folder" : `it cannot be read (${code ?? (error as Error).message})`;
    return { settings: undefined, problems: [new EcoAIConfigError("settingsPath", path, source, `${reason}; expected a readable JSON file.`)] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { settings: undefined, problems: [new EcoAIConfigError("settings", text.slice(0, 40), source, `not valid JSON (${(error as Error).message}).`)] };
  }
  return checkSettings(parsed, path);
}

/**
 * Reads and validates the settings file; `{}` when it does not exist. Throws `EcoAIConfigError`
 * naming the file and the first unusable field.
 *
 * @example
 * readSettings(".ecoai/settings.json"); // → { mode: "prod", ttl: 600 }
 */
export function readSettings(path: string = DEFAULTS.settingsPath): EcoAISettings {
  const { settings, problems } = loadSettings(path);
  if (problems[0]) throw problems[0];
  return settings!;
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
