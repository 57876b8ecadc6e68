import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { assembleChunks, isFinished, splitResponse } from "../../src/providers/gemini-stream.ts";
import { SIM_HEADERS, SIM_MARKERS, startSimulator, type Simulator } from "../../src/simulator/index.ts";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

type Json = Record<string, unknown>;
const TOOLS = [{ functionDeclarations: [{ name: "lookup", parameters: { type: "OBJECT", properties: { q: { type: "STRING" } } } }, { name: "count", parameters: { type: "OBJECT", properties: { n: { type: "INTEGER" } } } }] }];

/** The wire answers to one request: the plain response and the chunks of the streamed one (what the Gemini API sends). */
async function answers(body: Json, headers: Record<string, string> = {}): Promise<{ plain: Json; chunks: Json[] }> {
  const send = (method: string, query = "") =>
    fetch(`${sim.geminiBaseURL}/v1beta/models/gemini-2.5-flash:${method}${query}`, { method: "POST", headers: { "x-goog-api-key": "k", "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const plain = (await (await send("generateContent")).json()) as Json;
  // A cut stream errors its body: keep what arrived before the cut.
  let text = "";
  const decoder = new TextDecoder();
  const reader = (await send("streamGenerateContent", "?alt=sse")).body!.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += decoder.decode(read.value, { stream: true });
  } catch {
    // The cut itself.
  }
  const chunks = text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.startsWith("data: "))
    .map((block) => JSON.parse(block.slice(6)) as Json);
  return { plain, chunks };
}

const ask = (text: string, extra: Json = {}) => ({ contents: [{ role: "user", parts: [{ text }] }], ...extra });
const withoutId = ({ responseId: _id, ...rest }: Json) => rest;

describe("Gemini stream chunks", () => {
  test("the chunks of a long answer add up to the plain response to the same request", async () => {
    const { plain, chunks } = await answers(ask(`Explain ${SIM_MARKERS.long}`));
    expect(chunks.length).toBeGreaterThan(50);
    expect(isFinished(chunks)).toBe(true);
    const assembled = assembleChunks(chunks)!;
    expect(withoutId(assembled)).toEqual(withoutId(plain));
    expect(assembled.responseId).toBe(chunks[0]!.responseId);
  });

  test("function calls, several candidates, a safety stop and a blocked prompt assemble as their plain responses", async () => {
    for (const body of [
      ask(`Find ${SIM_MARKERS.parallelToolCalls}`, { tools: TOOLS }),
      ask("Two ways", { generationConfig: { candidateCount: 2 } }),
      ask(`Risky ${SIM_MARKERS.contentFilter}`),
      ask(`Bad ${SIM_MARKERS.refusal}`),
    ]) {
      const { plain, chunks } = await answers(body);
      expect(isFinished(chunks)).toBe(true);
      expect(withoutId(assembleChunks(chunks)!)).toEqual(withoutId(plain));
    }
  });

  test("a stream cut off or failed midway is not finished", async () => {
    const { chunks } = await answers(ask(`Explain ${SIM_MARKERS.long}`), { [SIM_HEADERS.cutAfter]: "5" });
    expect(chunks).toHaveLength(5);
    expect(isFinished(chunks)).toBe(false);
    const failed = await answers(ask(`Explain ${SIM_MARKERS.streamError}`));
    expect(failed.chunks.at(-1)!.error).toBeDefined();
    expect(isFinished(failed.chunks)).toBe(false);
    expect(isFinished([])).toBe(false);
  });

  test("a stored response splits into many chunks that assemble back into it", async () => {
    for (const body of [ask(`Explain ${SIM_MARKERS.long}`), ask(`Find ${SIM_MARKERS.parallelToolCalls}`, { tools: TOOLS }), ask("Two ways", { generationConfig: { candidateCount: 2 } }), ask(`Bad ${SIM_MARKERS.refusal}`)]) {
      const { plain } = await answers(body);
      const chunks = splitResponse(plain);
      expect(isFinished(chunks)).toBe(true);
      expect(assembleChunks(chunks)).toEqual(plain);
      // Every chunk but the last counts the prompt only, as the API's do.
      for (const chunk of chunks.slice(0, -1)) expect((chunk.usageMetadata as Json).candidatesTokenCount).toBeUndefined();
    }
    const long = splitResponse((await answers(ask(`Explain ${SIM_MARKERS.long}`))).plain);
    expect(long.length).toBeGreaterThan(50);
  });

  test("thought text and answer text stay separate parts; astral characters are never split", () => {
    const response = {
      candidates: [{ content: { role: "model", parts: [{ text: "Let me think about this question carefully.", thought: true }, { text: "Answer: 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 done." }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 9, totalTokenCount: 12 },
    };
    const chunks = splitResponse(response);
    for (const chunk of chunks) {
      const text = JSON.stringify(chunk);
      expect(text).not.toContain("\\ud83c\"");
    }
    expect(assembleChunks(chunks)).toEqual(response);
  });
});
