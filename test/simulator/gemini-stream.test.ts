import { describe, expect, test } from "bun:test";
import { ApiError, BlockedReason, FinishReason, GenerateContentResponse, Type, type FunctionDeclaration, type GenerateContentParameters } from "@google/genai";
import { SIM_HEADERS, SIM_MARKERS } from "../../src/simulator/index.ts";
import { drain, rejection, useClients } from "./clients.ts";

const up = useClients();
const model = "gemini-2.5-flash";
const ask = (contents: string, config: GenerateContentParameters["config"] = {}): GenerateContentParameters => ({ model, contents, config });
const declarations: FunctionDeclaration[] = [
  { name: "lookup", parameters: { type: Type.OBJECT, properties: { q: { type: Type.STRING } }, required: ["q"] } },
  { name: "count", parameters: { type: Type.OBJECT, properties: { n: { type: Type.INTEGER } }, required: ["n"] } },
];

describe("@google/genai generateContentStream", () => {
  test("text arrives in many GenerateContentResponse chunks; usage counts the prompt until the last chunk", async () => {
    const params = ask(`Explain ${SIM_MARKERS.long}`);
    const { items, error } = await drain(await up.genai.models.generateContentStream(params));
    expect(error).toBeUndefined();
    expect(items.length).toBeGreaterThan(50);
    for (const chunk of items) expect(chunk).toBeInstanceOf(GenerateContentResponse);
    const plain = await up.genai.models.generateContent(params);
    expect(items.map((chunk) => chunk.text ?? "").join("")).toBe(plain.text!);
    const [first, last] = [items[0]!, items.at(-1)!];
    expect(first.usageMetadata).toMatchObject({ promptTokenCount: plain.usageMetadata!.promptTokenCount, totalTokenCount: plain.usageMetadata!.promptTokenCount });
    expect(first.usageMetadata!.candidatesTokenCount).toBeUndefined();
    expect(first.candidates![0]!.finishReason).toBeUndefined();
    expect(last.candidates![0]!.finishReason).toBe(FinishReason.STOP);
    expect(last.usageMetadata).toMatchObject({ candidatesTokenCount: plain.usageMetadata!.candidatesTokenCount, totalTokenCount: plain.usageMetadata!.totalTokenCount });
    expect(new Set(items.map((chunk) => chunk.responseId)).size).toBe(1);
    const request = up.sim.requests.find((r) => r.route === "gemini.streamGenerateContent")!;
    expect(request.path).toBe(`/gemini/v1beta/models/${model}:streamGenerateContent`);
  });

  test("function calls arrive whole in one chunk, all of them when parallel", async () => {
    const params = ask(`Find it ${SIM_MARKERS.parallelToolCalls}`, { tools: [{ functionDeclarations: declarations }] });
    const { items } = await drain(await up.genai.models.generateContentStream(params));
    expect(items).toHaveLength(1);
    expect(items[0]!.functionCalls!.map((call) => call.name)).toEqual(["lookup", "count"]);
    expect(items[0]!.candidates![0]!.finishReason).toBe(FinishReason.STOP);
  });

  test("a safety stop ends with a content-less chunk carrying SAFETY and its ratings; a blocked prompt is one chunk", async () => {
    const { items } = await drain(await up.genai.models.generateContentStream(ask(`Risky ${SIM_MARKERS.contentFilter}`)));
    const last = items.at(-1)!.candidates![0]!;
    expect(last.finishReason).toBe(FinishReason.SAFETY);
    expect(last.content).toBeUndefined();
    expect(last.safetyRatings![0]!.blocked).toBe(true);
    expect(items.slice(0, -1).map((chunk) => chunk.text).join("").length).toBeGreaterThan(0);

    const blocked = await drain(await up.genai.models.generateContentStream(ask(`Bad ${SIM_MARKERS.refusal}`)));
    expect(blocked.items).toHaveLength(1);
    expect(blocked.items[0]!.promptFeedback!.blockReason).toBe(BlockedReason.SAFETY);
  });

  test("a mid-stream error event throws the SDK's ApiError; a cut throws a connection error", async () => {
    const failing = await drain(await up.genai.models.generateContentStream(ask(`Break ${SIM_MARKERS.streamError}`)));
    expect(failing.items.length).toBeGreaterThan(0);
    expect(failing.error).toBeInstanceOf(ApiError);
    expect((failing.error as ApiError).status).toBe(500);

    const cut = await drain(await up.genai.models.generateContentStream(ask("Cut", { httpOptions: { headers: { [SIM_HEADERS.cutAfter]: "2" } } })));
    expect(cut.items).toHaveLength(2);
    expect(cut.error).toBeInstanceOf(Error);
    expect(cut.error).not.toBeInstanceOf(ApiError);
  });
});

describe("@google/generative-ai generateContentStream", () => {
  test("the stream's chunks and the aggregated response agree with the plain answer", async () => {
    const generative = up.generativeModel();
    const result = await generative.generateContentStream(`Explain ${SIM_MARKERS.long}`);
    const { items } = await drain(result.stream);
    const aggregated = await result.response;
    const plain = (await generative.generateContent(`Explain ${SIM_MARKERS.long}`)).response;
    expect(items.length).toBeGreaterThan(50);
    expect(items.map((chunk) => chunk.text()).join("")).toBe(plain.text());
    expect(aggregated.text()).toBe(plain.text());
    expect(aggregated.candidates![0]!.finishReason).toBe(plain.candidates![0]!.finishReason!);
    expect(aggregated.usageMetadata).toEqual(plain.usageMetadata!);
    const request = up.sim.requests.find((r) => r.route === "gemini.streamGenerateContent")!;
    expect(request.path).toBe(`/gemini/v1beta/models/${"gemini-2.5-flash"}:streamGenerateContent`);
  });

  test("a safety stop shows in the aggregated response; a cut rejects both the stream and the response", async () => {
    const generative = up.generativeModel();
    const risky = await generative.generateContentStream(`Risky ${SIM_MARKERS.contentFilter}`);
    await drain(risky.stream);
    expect(String((await risky.response).candidates![0]!.finishReason)).toBe("SAFETY");

    const cut = await generative.generateContentStream({ contents: [{ role: "user", parts: [{ text: "Cut" }] }] }, { customHeaders: { [SIM_HEADERS.cutAfter]: "2" } });
    const response = rejection(cut.response);
    const { items, error } = await drain(cut.stream);
    expect(items).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
    expect(await response).toBeInstanceOf(Error);
  });
});
