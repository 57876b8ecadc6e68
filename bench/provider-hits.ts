/**
 * Hit latency of each cached surface (chat completions, responses, Anthropic messages, image
 * generation, image edits keyed by the bytes of a 1 MiB upload) through the real SDKs, against
 * the same SDK call answered by the local simulator in the same run (a floor for a miss: no
 * network, no model). An edit hit hashes its upload: once per `File` object (the same `File`
 * again is not re-read), on every call for a new `File` or an `fs.ReadStream` (read and
 * replaced by a `File`).
 *
 * Run: `bun bench/provider-hits.ts`. Prints; asserts nothing.
 *
 * @module
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { EcoAI } from "../src/index.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { formatMicros, formatRatio, summarize, table, toMicros } from "./stats.ts";

const ROUNDS = 400;
const WARMUP = 50;
const UPLOAD_BYTES = 1 << 20;

const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-"));
const sim = await startSimulator();
const openai = new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-bench", maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: sim.anthropicBaseURL, apiKey: "sk-bench", maxRetries: 0 });
const files = (name: string) => ({ sqlitePath: join(dir, `${name}-cache.db`), logPath: join(dir, `${name}-usage.db`), settingsPath: join(dir, `${name}-settings.json`) });
const ecoOpenAI = new EcoAI({ client: openai, ...files("openai") });
const ecoAnthropic = new EcoAI({ client: anthropic, ...files("anthropic") });

const upload = Buffer.alloc(UPLOAD_BYTES, 7);
upload.set([0x89, 0x50, 0x4e, 0x47], 0);
const uploadPath = join(dir, "upload.png");
writeFileSync(uploadPath, upload);
const uploadFile = new File([upload], "upload.png", { type: "image/png" });

const chat = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Summarise our returns policy." }] };
const responses = { model: "gpt-4.1-mini", input: "Summarise our returns policy." };
const messages = { model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user" as const, content: "Summarise our returns policy." }] };
const generate = { model: "gpt-image-1", prompt: "a bookshop at night" };
const edit = { model: "gpt-image-1", prompt: "add snow" };

const surfaces: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
  ["chat.completions", () => ecoOpenAI.chat.completions.create(chat), () => openai.chat.completions.create(chat)],
  ["responses", () => ecoOpenAI.responses.create(responses), () => openai.responses.create(responses)],
  ["anthropic messages", () => ecoAnthropic.messages.create(messages), () => anthropic.messages.create(messages)],
  ["images.generate", () => ecoOpenAI.images.generate(generate), () => openai.images.generate(generate)],
  ["images.edit (File, 1 MiB)", () => ecoOpenAI.images.edit({ ...edit, image: uploadFile }), () => openai.images.edit({ ...edit, image: uploadFile })],
  ["images.edit (new File, 1 MiB)", () => ecoOpenAI.images.edit({ ...edit, image: new File([upload], "upload.png", { type: "image/png" }) }), () => openai.images.edit({ ...edit, image: new File([upload], "upload.png", { type: "image/png" }) })],
  ["images.edit (ReadStream, 1 MiB)", () => ecoOpenAI.images.edit({ ...edit, image: createReadStream(uploadPath) }), () => openai.images.edit({ ...edit, image: createReadStream(uploadPath) })],
];

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return toMicros(performance.now() - start);
}

const rows: string[][] = [];
for (const [name, hit, direct] of surfaces) {
  for (let i = 0; i < WARMUP; i++) await Promise.all([hit(), direct()]);
  const hits: number[] = [];
  const directs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    hits.push(await time(hit));
    directs.push(await time(direct));
  }
  const h = summarize(hits);
  const d = summarize(directs);
  rows.push([name, formatMicros(h.p50), formatMicros(h.p99), formatMicros(d.p50), formatRatio(d.p50 / h.p50)]);
}
console.log(table(["surface", "hit p50", "hit p99", "direct SDK→simulator p50", "direct / hit"], rows));

await Promise.all([ecoOpenAI.close(), ecoAnthropic.close()]);
await sim.close();
rmSync(dir, { recursive: true, force: true });
