import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { metrics, SpanKind, trace } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type SumMetricData } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { costOfCall } from "../../src/usage/pricing.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";

// The application's side, as a team would set it up: the SDK registered globally, here with the
// SDK's in-memory exporters instead of OTLP.
const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const meterProvider = new MeterProvider({ readers: [reader] });

const up = useUpstream();

beforeAll(() => {
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});

/** The value of a counter's data point whose attributes include `attributes`. */
function sumOf(name: string, attributes: Record<string, unknown> = {}): number {
  const all = metricExporter.getMetrics().at(-1)!.scopeMetrics.filter((scope) => scope.scope.name === "ecoai").flatMap((scope) => scope.metrics);
  const metric = all.find((m) => m.descriptor.name === name) as SumMetricData | undefined;
  if (!metric) return 0;
  return metric.dataPoints.filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value)).reduce((total, point) => total + point.value, 0);
}

describe("with @opentelemetry/api installed and an SDK registered", () => {
  test("a miss and a hit are each a span with the GenAI attributes, cache outcome, cost and savings, and counted", async () => {
    const eco = up.eco({ namespace: "tenant-1" });
    const before = up.sim.count(CHAT_ROUTE);
    const miss = await eco.chat.completions.create(ask("What is OpenTelemetry?"));
    await eco.chat.completions.create(ask("What is OpenTelemetry?"));
    expect(up.sim.count(CHAT_ROUTE)).toBe(before + 1);
    const [hitRow, missRow] = await eco.history({ limit: 2 });

    const finished = spans.getFinishedSpans();
    expect(finished.map((span) => span.name)).toEqual(["chat gpt-4o", "chat gpt-4o"]);
    const [missSpan, hitSpan] = finished as [(typeof finished)[0], (typeof finished)[0]];
    expect(missSpan.kind).toBe(SpanKind.CLIENT);
    expect(missSpan.instrumentationScope.name).toBe("ecoai");
    const usage = miss.usage!;
    const paid = costOfCall("gpt-4o", { inputTokens: usage.prompt_tokens, cachedInputTokens: 0, outputTokens: usage.completion_tokens });
    expect(paid.priced).toBe(true);
    expect(missSpan.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": usage.prompt_tokens,
      "gen_ai.usage.output_tokens": usage.completion_tokens,
      "ecoai.cache.hit": false,
      "ecoai.cache.outcome": "miss",
      "ecoai.cache.namespace": "tenant-1",
      "ecoai.cache.key": missRow!.cacheKey!,
      "ecoai.tokens_saved": 0,
      "ecoai.priced": true,
    });
    expect(missSpan.attributes["ecoai.cost.usd"] as number).toBeCloseTo(paid.usd!, 15);
    expect(hitSpan.attributes).toMatchObject({
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 0,
      "gen_ai.usage.output_tokens": 0,
      "ecoai.cache.hit": true,
      "ecoai.cache.outcome": "hit",
      "ecoai.cost.usd": 0,
      "ecoai.tokens_saved": usage.completion_tokens,
    });
    expect(hitSpan.attributes["ecoai.cost.saved_usd"] as number).toBeCloseTo(paid.usd!, 15);
    expect(hitSpan.attributes["ecoai.cost.saved_usd"] as number).toBeCloseTo(hitRow!.costSavedUsd, 15);
    // Each span lasts as long as the call did, as the usage log measured it.
    const durationMs = (span: (typeof finished)[0]) => span.duration[0] * 1000 + span.duration[1] / 1e6;
    expect(durationMs(missSpan)).toBeCloseTo(missRow!.latencyMs, 0);
    expect(durationMs(missSpan)).toBeGreaterThan(durationMs(hitSpan));

    await reader.forceFlush();
    const model = { "gen_ai.request.model": "gpt-4o" };
    expect(sumOf("ecoai.cache.hits", model)).toBe(1);
    expect(sumOf("ecoai.cache.misses", model)).toBe(1);
    expect(sumOf("ecoai.tokens.saved", { ...model, "ecoai.cache.outcome": "hit" })).toBe(usage.completion_tokens);
    expect(sumOf("ecoai.cost.saved", model)).toBeCloseTo(paid.usd!, 15);
    expect(sumOf("ecoai.cost.spent", model)).toBeCloseTo(paid.usd!, 15);
  });
});
