import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import type { FootprintConfig } from "../usage/energy-grid.ts";
import type { PriceOverrides } from "../usage/pricing.ts";
import { accountFor, tokenCount, type NewUsageRecord } from "../usage/row.ts";
import type { UsageSink } from "../usage/sinks.ts";
import { metricAttributes, operationName, spanAttributes } from "./attributes.ts";
import { loadOpenTelemetryApi } from "./load-api.ts";

/** The instrumentation scope ecoai's spans and metrics are reported under. */
export const TELEMETRY_SCOPE = "ecoai";

export interface TelemetryOptions {
  /** The `pricing` option, so spans and counters carry the same dollars as the usage log. */
  pricing?: PriceOverrides;
  /** The CO₂ options in force, so spans carry the same CO₂e as the usage log. */
  footprint?: () => FootprintConfig;
  /** ecoai's version, reported as the instrumentation scope's version. */
  version?: string;
}

interface Instruments {
  meter: Meter;
  hits: Counter;
  misses: Counter;
  tokensSaved: Counter;
  saved: Counter;
  spent: Counter;
  duration: Histogram;
  tokens: Histogram;
}

/**
 * Reports every call to OpenTelemetry, when the application has `@opentelemetry/api` installed:
 * a span per call (kind CLIENT, timed from the call's start to its end, a child of the span that
 * was active when the call was made) with the GenAI semantic-convention attributes and ecoai's
 * cache outcome, cost and savings, and counters of hits, misses, tokens saved and dollars saved
 * and spent, beside the GenAI duration and token-usage histograms. Nothing is computed while
 * neither a tracer nor a meter provider is registered. `undefined` when the API is not installed.
 *
 * @example
 * const sink = createTelemetrySink({ pricing: {} }); // UsageSink | undefined
 */
export function createTelemetrySink(options: TelemetryOptions = {}): UsageSink | undefined {
  const api = loadOpenTelemetryApi();
  if (!api) return undefined;
  const tracer = api.trace.getTracer(TELEMETRY_SCOPE, options.version);
  const noopMeterClass = api.createNoopMeter().constructor;
  const isNoop = (meter: Meter) => (meter as object) instanceof noopMeterClass;
  let instruments: Instruments | undefined;
  let closed = false;

  return {
    record(record) {
      if (closed) return;
      const endTime = (typeof record.timestamp === "number" ? record.timestamp : Date.parse(record.timestamp)) || Date.now();
      const span = tracer.startSpan(`${operationName(record)} ${record.model}`, { kind: api.SpanKind.CLIENT, startTime: endTime - Math.max(0, record.latencyMs || 0) }, api.context.active());
      const counting = countersFor(api.metrics.getMeter(TELEMETRY_SCOPE, options.version), isNoop, instruments);
      instruments = counting;
      if (!span.isRecording() && !counting) {
        span.end(endTime);
        return;
      }
      const account = accountFor(record, { overrides: options.pricing, footprint: options.footprint?.() });
      if (span.isRecording()) span.setAttributes(spanAttributes(record, account));
      span.end(endTime);
      if (!counting) return;
      const attributes = metricAttributes(record);
      (record.cacheHit ? counting.hits : counting.misses).add(1, attributes);
      if (account.tokensSaved > 0) counting.tokensSaved.add(account.tokensSaved, attributes);
      const grossSaved = account.costSavedUsd + account.embeddingCostUsd;
      if (grossSaved > 0) counting.saved.add(grossSaved, attributes);
      const spent = (account.costUsd ?? 0) + account.embeddingCostUsd;
      if (spent > 0) counting.spent.add(spent, attributes);
      counting.duration.record(Math.max(0, record.latencyMs || 0) / 1000, attributes);
      if (!record.cacheHit) {
        counting.tokens.record(tokenCount(record.usage?.inputTokens), { ...attributes, "gen_ai.token.type": "input" });
        counting.tokens.record(tokenCount(record.usage?.outputTokens), { ...attributes, "gen_ai.token.type": "output" });
      }
    },
    close() {
      closed = true;
    },
  };
}

/**
 * The counters of the meter provider registered now, or `undefined` while none is (a meter
 * obtained before an SDK registers stays a no-op, so the provider is looked at on every call).
 */
function countersFor(meter: Meter, isNoop: (meter: Meter) => boolean, current: Instruments | undefined): Instruments | undefined {
  if (current?.meter === meter) return current;
  if (isNoop(meter)) return undefined;
  return {
    meter,
    hits: meter.createCounter("ecoai.cache.hits", { unit: "{call}", description: "Calls answered from the cache (exact or semantic)" }),
    misses: meter.createCounter("ecoai.cache.misses", { unit: "{call}", description: "Calls sent to the provider" }),
    tokensSaved: meter.createCounter("ecoai.tokens.saved", { unit: "{token}", description: "Output tokens served from the cache instead of generated again" }),
    saved: meter.createCounter("ecoai.cost.saved", { unit: "USD", description: "What the calls answered from the cache would have cost at list price" }),
    spent: meter.createCounter("ecoai.cost.spent", { unit: "USD", description: "What the calls sent to the provider, and the embeddings of semantic lookups, cost at list price" }),
    duration: meter.createHistogram("gen_ai.client.operation.duration", { unit: "s", description: "GenAI operation duration" }),
    tokens: meter.createHistogram("gen_ai.client.token.usage", { unit: "{token}", description: "Number of input and output tokens used" }),
  };
}
