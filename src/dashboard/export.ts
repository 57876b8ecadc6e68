/**
 * Export of the calls the filters select, as CSV or JSON, streamed a batch at a time so a log of
 * millions of rows never sits in memory. CSV cells that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@` at the start of a prompt) are prefixed with `'`, so an exported prompt can
 * never execute in the program that opens it.
 * @module
 */
import type { UsageRecord } from "../types.ts";

export const EXPORT_FORMATS = ["csv", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The exported fields, in order: every field of `eco.history()`'s records. */
export const EXPORT_FIELDS = [
  "id", "timestamp", "provider", "model", "namespace", "cacheHit", "semanticHit", "promptType", "prompt", "inputTokens", "cachedInputTokens", "outputTokens",
  "tokensSaved", "latencyMs", "costUsd", "priced", "costSavedUsd", "co2SavedG", "embeddingTokens", "embeddingCostUsd", "cacheKey", "semanticScore", "matchedPrompt",
  "semanticCheck", "checkAgreed", "checkKey", "checkScore", "checkPrompt",
] as const satisfies readonly (keyof UsageRecord)[];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as a download: `ecoai-requests-<from>-<to>.<format>`. */
export function exportResponse(batches: Iterable<UsageRecord[]>, format: ExportFormat, name: string): Response {
  const encoder = new TextEncoder();
  const iterator = batches[Symbol.iterator]();
  let started = false;
  let written = false;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      let text = "";
      if (!started) text += format === "csv" ? `${EXPORT_FIELDS.join(",")}\r\n` : "[";
      started = true;
      // Batches a sparse filter leaves empty are passed over (the first one starts the download),
      // each after a turn of the event loop, so a long sparse read never holds up other requests.
      for (let passed = false; !passed || text === ""; passed = true) {
        if (passed) await new Promise((resolve) => setImmediate(resolve));
        if (done) return;
        const next = iterator.next();
        if (next.done) {
          done = true;
          if (format === "json") text += written ? "\n]\n" : "]\n";
          if (text !== "") controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        for (const record of next.value) {
          const row = Object.fromEntries(EXPORT_FIELDS.map((field) => [field, record[field] ?? null]));
          if (format === "csv") text += `${EXPORT_FIELDS.map((field) => csvCell(row[field])).join(",")}\r\n`;
          else text += `${written ? ",\n" : "\n"}${JSON.stringify(row)}`;
          written = true;
        }
      }
      controller.enqueue(encoder.encode(text));
    },
    cancel() {
      done = true;
      iterator.return?.();
    },
  });
  const type = format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
  return new Response(body, { headers: { "content-type": type, "content-disposition": `attachment; filename="${name}.${format}"`, "cache-control": "no-store" } });
}
