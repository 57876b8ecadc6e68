export { createTelemetrySink, TELEMETRY_SCOPE, type TelemetryOptions } from "./sink.ts";
