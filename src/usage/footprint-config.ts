/**
 * The CO₂ options — grid carbon intensity, grid region, embodied emissions — in one place: their
 * names as constructor options and settings-file fields, their `ECOAI_*` environment variables,
 * how each value is checked, and how the value in force is chosen (constructor option >
 * environment variable > settings file > the world-average default), remembering where it came
 * from so the dashboard can say so.
 * @module
 */

import { EcoAIConfigError, type ConfigSource } from "../errors.ts";
import { GRID_INTENSITY_G_PER_KWH, WORLD_GRID, type FootprintConfig } from "./energy-grid.ts";

/** Each CO₂ option's environment variable; the option and the settings field share the key's name. */
export const FOOTPRINT_ENV = Object.freeze({
  gridIntensityGPerKwh: "ECOAI_GRID_INTENSITY",
  gridRegion: "ECOAI_GRID_REGION",
  embodiedEmissions: "ECOAI_EMBODIED_EMISSIONS",
} as const satisfies Record<keyof FootprintConfig, string>);

export type FootprintOption = keyof typeof FOOTPRINT_ENV;
export const FOOTPRINT_OPTIONS = Object.keys(FOOTPRINT_ENV) as FootprintOption[];

/** Where each CO₂ option in force came from; an option left out takes its default. */
export type FootprintSources = Partial<Record<FootprintOption, ConfigSource>>;

/** Largest credible grid intensity: coal-only generation is about 1,000 g CO₂e/kWh. */
export const MAX_GRID_INTENSITY = 2000;

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

function unknownRegion(option: string, value: unknown, source: ConfigSource): EcoAIConfigError {
  return new EcoAIConfigError(option, value, source, `expected "provider" or one of ${Object.keys(GRID_INTENSITY_G_PER_KWH).join(", ")} (ISO 3166-1 alpha-3), or set gridIntensityGPerKwh.`);
}

/**
 * One CO₂ option's value, checked; text from an environment variable (or `fromText`) is parsed. Throws
 * `EcoAIConfigError` naming the option, the value and where it came from.
 *
 * @example
 * validFootprintOption("gridIntensityGPerKwh", "56", "environment variable ECOAI_GRID_INTENSITY"); // 56
 * validFootprintOption("gridRegion", "fra", "constructor option");                                 // "FRA"
 */
export function validFootprintOption<K extends FootprintOption>(option: K, value: unknown, source: ConfigSource, fromText = source.startsWith("environment variable ")): FootprintConfig[K] {
  // Text (an environment variable, a command-line flag) is parsed; elsewhere a number must be a number.
  const text = fromText && typeof value === "string" ? value.trim() : undefined;
  if (option === "gridIntensityGPerKwh") {
    const n = text !== undefined && text !== "" ? Number(text) : value;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0 || n > MAX_GRID_INTENSITY) {
      throw new EcoAIConfigError(option, value, source, `expected a number of g CO₂e per kWh from 0 to ${MAX_GRID_INTENSITY} (the world average is ${WORLD_GRID.value}).`);
    }
    return n as FootprintConfig[K];
  }
  if (option === "gridRegion") {
    const upper = typeof value === "string" ? value.trim().toUpperCase() : undefined;
    if (upper === undefined || (upper !== "PROVIDER" && !(upper in GRID_INTENSITY_G_PER_KWH))) throw unknownRegion(option, value, source);
    return (upper === "PROVIDER" ? "provider" : upper) as FootprintConfig[K];
  }
  if (typeof value === "boolean") return value as FootprintConfig[K];
  if (text !== undefined && TRUE_WORDS.has(text.toLowerCase())) return true as FootprintConfig[K];
  if (text !== undefined && FALSE_WORDS.has(text.toLowerCase())) return false as FootprintConfig[K];
  throw new EcoAIConfigError(option, value, source, "expected true or false.");
}

/**
 * Checks an object of CO₂ options the way the constructor checks its options.
 *
 * @example
 * validateFootprintConfig({ gridRegion: "FRA" }, "constructor option"); // { gridRegion: "FRA" }
 */
export function validateFootprintConfig(raw: unknown, source: ConfigSource): FootprintConfig {
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new EcoAIConfigError("footprint", raw, source, `expected an object with ${FOOTPRINT_OPTIONS.join(", ")}.`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(FOOTPRINT_ENV, key)) throw new EcoAIConfigError(key, value, source, `unknown option; expected ${FOOTPRINT_OPTIONS.join(", ")}.`);
    out[key] = validFootprintOption(key as FootprintOption, value, source);
  }
  return out as FootprintConfig;
}

/** The CO₂ options in force and where each came from. */
export interface ResolvedFootprint {
  config: FootprintConfig;
  sources: FootprintSources;
}

/**
 * The CO₂ options in force: for each, the constructor option, else its `ECOAI_*` environment
 * variable, else the settings file's field (already checked by the settings reader), else the
 * default (world-average grid, no embodied emissions).
 *
 * @example
 * resolveFootprint({}, { ECOAI_GRID_REGION: "FRA" }, {}, ".ecoai/settings.json");
 * // { config: { gridRegion: "FRA" }, sources: { gridRegion: "environment variable ECOAI_GRID_REGION" } }
 */
export function resolveFootprint(options: Partial<Record<FootprintOption, unknown>>, env: Record<string, string | undefined>, settings: FootprintConfig, settingsPath: string): ResolvedFootprint {
  const config: Record<string, unknown> = {};
  const sources: FootprintSources = {};
  for (const option of FOOTPRINT_OPTIONS) {
    const envName = FOOTPRINT_ENV[option];
    let source: ConfigSource | undefined;
    let value: unknown;
    if (options[option] !== undefined) [source, value] = ["constructor option", options[option]];
    else if (env[envName] !== undefined && env[envName] !== "") [source, value] = [`environment variable ${envName}`, env[envName]];
    else if (settings[option] !== undefined) [source, value] = [`settings file ${settingsPath}`, settings[option]];
    if (source === undefined) continue;
    config[option] = validFootprintOption(option, value, source);
    sources[option] = source;
  }
  return { config: config as FootprintConfig, sources };
}
