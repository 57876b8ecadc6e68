import { EcoAIConfigError, errorMessage } from "../errors.ts";
import { readSettings, validateSettings, writeSettings, type EcoAISettings } from "../settings.ts";
import { WORLD_GRID } from "../usage/energy-grid.ts";
import { FOOTPRINT_ENV } from "../usage/footprint-config.ts";
import type { CacheDescription } from "./cache-entries.ts";
import { describeGridInUse, footprintInUse } from "./methodology.ts";
import { bodyText, json, jsonError, MAX_BODY_BYTES } from "./http.ts";
import { writeRefusal } from "./security.ts";

/** What each setting is when neither the file, the environment nor the constructor sets it. */
export const SETTING_DEFAULTS: Required<EcoAISettings> = Object.freeze({
  cachingEnabled: true,
  semanticEnabled: false,
  semanticThreshold: 0.95,
  mode: "dev",
  ttl: 3600,
  gridIntensityGPerKwh: WORLD_GRID.value,
  gridRegion: "WOR",
  embodiedEmissions: false,
});

/**
 * The environment variable that wins over each setting of the file. Semantic caching has none: a
 * constructor's `semantic` option is what wins over the file there.
 */
export const SETTING_VARIABLES: Readonly<Partial<Record<keyof EcoAISettings, string>>> = Object.freeze({
  cachingEnabled: "ECOAI_CACHING_ENABLED",
  mode: "ECOAI_MODE",
  ttl: "ECOAI_TTL",
  ...FOOTPRINT_ENV,
});

/** Which variables of the dashboard's own environment are set (an app started alike ignores the file's value). */
function environment(env: NodeJS.ProcessEnv): Record<string, { variable: string; value: string }> {
  const set: Record<string, { variable: string; value: string }> = {};
  for (const [field, variable] of Object.entries(SETTING_VARIABLES)) {
    const value = env[variable!];
    if (value !== undefined && value !== "") set[field] = { variable: variable!, value };
  }
  return set;
}

/**
 * `GET /api/settings`: the file's settings, the defaults, the file's path, the environment
 * variables that win over the file, as the dashboard's own environment has them, and the cache.
 */
export function getSettings(path: string, cache?: CacheDescription, env: NodeJS.ProcessEnv = process.env): Response {
  const context = { path, defaults: SETTING_DEFAULTS, variables: SETTING_VARIABLES, environment: environment(env), grid: describeGridInUse(footprintInUse(path, env)), ...(cache ? { cache } : {}) };
  try {
    return json({ ...context, settings: readSettings(path) });
  } catch (error) {
    return jsonError(500, errorMessage(error), { ...context, settings: {} });
  }
}

/**
 * `PUT /api/settings`: a JSON object of settings to change, each validated by the same rules as the
 * settings file; `null` removes a setting (its default applies again). Nothing is written unless
 * every field is valid; the answer then names each bad field: `{ errors: { ttl: "…" } }`.
 */
export async function putSettings(path: string, request: Request): Promise<Response> {
  const refusal = writeRefusal(request);
  if (refusal) return jsonError(refusal.status, refusal.error);
  const text = await bodyText(request, MAX_BODY_BYTES);
  if (text === undefined) return jsonError(413, `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return jsonError(400, "The body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return jsonError(400, "Expected a JSON object of settings, such as {\"mode\": \"prod\", \"ttl\": 600}.");
  }
  // No prototype: a field named "__proto__" must be recorded like any other, not hit its setter.
  const errors: Record<string, string> = Object.create(null);
  const partial: Record<string, unknown> = Object.create(null);
  for (const [field, value] of Object.entries(body)) {
    if (value === null) {
      if (field in SETTING_DEFAULTS) partial[field] = undefined;
      else errors[field] = `Unknown setting; expected one of ${Object.keys(SETTING_DEFAULTS).join(", ")}.`;
      continue;
    }
    try {
      Object.assign(partial, validateSettings({ [field]: value }, path));
    } catch (error) {
      errors[field] = error instanceof EcoAIConfigError ? fieldMessage(error) : errorMessage(error);
    }
  }
  if (Object.keys(errors).length > 0) return jsonError(400, "Some settings are not valid; nothing was saved.", { errors });
  try {
    writeSettings(path, partial as EcoAISettings);
    return getSettings(path);
  } catch (error) {
    return jsonError(500, errorMessage(error));
  }
}

/** The part of a config error that says what is accepted, capitalised: "Expected true or false." */
function fieldMessage(error: EcoAIConfigError): string {
  const at = error.message.indexOf("): ");
  const expected = at === -1 ? error.message : error.message.slice(at + 3);
  return expected.charAt(0).toUpperCase() + expected.slice(1);
}
