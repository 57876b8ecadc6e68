import { createRequire } from "node:module";

/** The part of `@opentelemetry/api` ecoai uses, typed here so the package stays optional. */
export type OpenTelemetryApi = typeof import("@opentelemetry/api");

const require = createRequire(import.meta.url);
let loaded: OpenTelemetryApi | null | undefined;

/**
 * `@opentelemetry/api` when the application has it installed, else `undefined`. Looked up once,
 * on the first call that needs it (never at import), and synchronously, so the first call is
 * reported like the others. The API keeps its registered providers in a process-wide global, so
 * this copy sees the SDK the application registered, whichever copy it registered through.
 */
export function loadOpenTelemetryApi(): OpenTelemetryApi | undefined {
  if (loaded === undefined) {
    try {
      loaded = require("@opentelemetry/api") as OpenTelemetryApi;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
