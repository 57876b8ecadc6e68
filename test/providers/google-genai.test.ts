import { describe, expect, test } from "bun:test";
import { ApiError, GenerateContentResponse, GoogleGenAI, Type, type CallableTool, type GenerateContentParameters } from "@google/genai";
import type { CallOptions, EcoAI } from "../../src/index.ts";
import { detectProvider } from "../../src/providers/index.ts";
import { SIM_MARKERS } from "../../src/simulator/index.ts";
import { savingsFor } from "../../src/usage/pricing.ts";
import { GENERATE_ROUTE, STREAM_ROUTE, TEST_API_KEY, useGeminiUpstream } from "./gemini-clients.ts";
import { FOREIGN_ANSWERS } from "./suite-answers.ts";
import { isJson, runProviderSuite, type Surface } from "./suite.ts";
import { runStreamSuite, type Streamed, type StreamSurface } from "./suite-streams.ts";

const { up, wrap, upstreamCalls } = useGeminiUpstream();
const MODEL = "gemini-2.5-flash";

function genai(headers: Record<string, string> = {}): GoogleGenAI {
  return new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL, headers } });
}

function ask(contents: GenerateContentParameters["contents"], config?: GenerateContentParameters["config"]): GenerateContentParameters {
  return config === undefined ? { model: MODEL, contents } : { model: MODEL, contents, config };
}

const WEATHER_TOOL = {
  functionDeclarations: [
    {
      name: "getWeather",
      description: "Current weather in a city",
      parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ["city"] },
    },
  ],
};

const JSON_MODE = { responseMimeType: "application/json" };
const CITY_SCHEMA = { responseMimeType: "application/json", responseSchema: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ["city"] } };
const finish = (response: GenerateContentResponse) => String(response.candidates?.[0]?.finishReason ?? response.promptFeedback?.blockReason ?? "");

const generateContent: Surface<GoogleGenAI, GenerateContentParameters, GenerateContentResponse> = {
  name: "@google/genai models.generateContent",
  provider: "gemini",
  route: GENERATE_ROUTE,
  model: MODEL,
  promptType: "text",
  client: (sim, headers) => new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: sim.geminiBaseURL, headers } }),
  request: (prompt) => ask(prompt),
  call: (client, request, ecoai) => (ecoai ? client.models.generateContent(request, { ecoai }) : client.models.generateContent(request)),
  read: (response) => {
    const calls = response.functionCalls;
    const meta = response.usageMetadata ?? {};
    return {
      id: response.responseId,
      // `.text` warns when the answer has function calls, as it should for a caller who ignores them.
      text: calls ? "" : (response.text ?? ""),
      toolCalls: (calls ?? []).map((call) => ({ name: call.name!, arguments: call.args })),
      finishReason: finish(response),
      usage: {
        inputTokens: (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0),
        cachedInputTokens: meta.cachedContentTokenCount ?? 0,
        outputTokens: (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0),
      },
    };
  },
  receivedOnly: [],
  errors: [
    { status: 503, type: ApiError },
    { status: 429, type: ApiError },
    { status: 400, type: ApiError },
  ],
  nonAnswers: [
    { name: "safety stop", request: (prompt) => ask(`${SIM_MARKERS.contentFilter} ${prompt}`), is: (r) => finish(r) === "SAFETY" },
    { name: "blocked prompt", request: (prompt) => ask(`${SIM_MARKERS.refusal} ${prompt}`), is: (r) => r.promptFeedback?.blockReason !== undefined && r.candidates === undefined },
    { name: "invalid JSON in JSON mode", request: (prompt) => ask(`${SIM_MARKERS.invalidJson} ${prompt}`, JSON_MODE), is: (r) => finish(r) === "STOP" && !isJson(r.text) },
    { name: "invalid JSON under a schema", request: (prompt) => ask(`${SIM_MARKERS.invalidJson} ${prompt}`, CITY_SCHEMA), is: (r) => finish(r) === "STOP" && !isJson(r.text) },
  ],
  answers: [
    { name: "MAX_TOKENS stop", request: (prompt) => ask(prompt, { maxOutputTokens: 2 }), is: (r) => finish(r) === "MAX_TOKENS" },
    { name: "valid JSON under a schema", request: (prompt) => ask(prompt, CITY_SCHEMA), is: (r) => isJson(r.text) && "city" in JSON.parse(r.text!) },
    { name: "function call", request: (prompt) => ask(`${prompt} ${SIM_MARKERS.toolCall}`, { tools: [WEATHER_TOOL] }), is: (r) => r.functionCalls?.[0]?.name === "getWeather" },
  ],
  foreign: FOREIGN_ANSWERS.anthropicMessage,
  promptCache: true,
};

runProviderSuite(up, generateContent);

/** What a caller reads from a stream: its chunks' text and function calls, the last chunk's finish reason and usage. */
function readChunks(chunks: GenerateContentResponse[]) {
  const last = chunks.at(-1)!;
  const calls = chunks.flatMap((chunk) => chunk.functionCalls ?? []);
  const meta = last.usageMetadata ?? {};
  return {
    id: chunks[0]!.responseId,
    text: calls.length > 0 ? "" : chunks.map((chunk) => chunk.text ?? "").join(""),
    toolCalls: calls.map((call) => ({ name: call.name!, arguments: call.args })),
    finishReason: finish(last),
    usage: {
      inputTokens: (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0),
      cachedInputTokens: meta.cachedContentTokenCount ?? 0,
      outputTokens: (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0),
    },
  };
}

type Chunks = Streamed<unknown, GenerateContentResponse>;
const chunksOf = ({ events }: Chunks) => events as GenerateContentResponse[];
const streamedText = (seen: Chunks) => chunksOf(seen).map((chunk) => chunk.text ?? "").join("");

/** `generateContentStream(params)`, with ecoai's options as its second argument when there are any. */
function streamOf(client: EcoAI<GoogleGenAI>, params: GenerateContentParameters, ecoai?: CallOptions) {
  const models = client.models as unknown as { generateContentStream(params: GenerateContentParameters, options?: { ecoai: CallOptions }): Promise<AsyncGenerator<GenerateContentResponse>> };
  return ecoai ? models.generateContentStream(params, { ecoai }) : models.generateContentStream(params);
}

const generateContentStream: StreamSurface<GoogleGenAI, GenerateContentParameters, GenerateContentResponse> = {
  ...generateContent,
  name: "@google/genai models.generateContentStream",
  route: STREAM_ROUTE,
  open: (client, request, { ecoai, signal }) => streamOf(client, signal ? { ...request, config: { ...request.config, abortSignal: signal } } : request, ecoai),
  async call(client, request, ecoai) {
    const stream = await streamOf(client, request, ecoai);
    const events: GenerateContentResponse[] = [];
    for await (const chunk of stream) {
      expect(chunk).toBeInstanceOf(GenerateContentResponse);
      events.push(chunk);
    }
    return { events, final: events.at(-1)! };
  },
  read: (seen) => readChunks(chunksOf(seen)),
  nonAnswers: [
    { name: "safety stop", request: (prompt) => ask(`${SIM_MARKERS.contentFilter} ${prompt}`), is: ({ final }) => finish(final) === "SAFETY" },
    { name: "blocked prompt", request: (prompt) => ask(`${SIM_MARKERS.refusal} ${prompt}`), is: ({ final }) => final.promptFeedback?.blockReason !== undefined && final.candidates === undefined },
    { name: "invalid JSON in JSON mode", request: (prompt) => ask(`${SIM_MARKERS.invalidJson} ${prompt}`, JSON_MODE), is: (seen) => finish(seen.final) === "STOP" && !isJson(streamedText(seen)) },
  ],
  answers: [
    { name: "MAX_TOKENS stop", request: (prompt) => ask(prompt, { maxOutputTokens: 2 }), is: ({ final }) => finish(final) === "MAX_TOKENS" },
    { name: "valid JSON under a schema", request: (prompt) => ask(prompt, CITY_SCHEMA), is: (seen) => isJson(streamedText(seen)) && "city" in JSON.parse(streamedText(seen)) },
    { name: "function call", request: (prompt) => ask(`${prompt} ${SIM_MARKERS.toolCall}`, { tools: [WEATHER_TOOL] }), is: (seen) => chunksOf(seen).some((chunk) => chunk.functionCalls?.[0]?.name === "getWeather") },
  ],
};

runProviderSuite(up, generateContentStream);
runStreamSuite(up, generateContentStream, generateContent);

describe("@google/genai models.generateContent through the real SDK", () => {
  test("the key includes where the client sends requests", async () => {
    const vertex = new GoogleGenAI({ vertexai: true, project: "proj-a", location: "europe-west4" });
    expect(detectProvider(vertex).baseURL(vertex)).toBe("https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/proj-a/locations/europe-west4");
    expect(detectProvider(genai()).baseURL(genai())).toBe(`${up.sim.geminiBaseURL}/v1beta`);
  });

  test("contents as a string, a part list or explicit turns, and a models/ prefix, are one request", async () => {
    const eco = wrap(genai());
    const calls = await upstreamCalls(async () => {
      await eco.models.generateContent(ask("same request"));
      await eco.models.generateContent(ask(["same request"]));
      await eco.models.generateContent(ask({ text: "same request" }));
      await eco.models.generateContent(ask([{ role: "user", parts: [{ text: "same request" }] }]));
      await eco.models.generateContent({ model: `models/${MODEL}`, contents: "same request" });
    });
    expect(calls).toBe(1);
  });

  test("a changed model, prompt or config misses; request-only config (abortSignal, httpOptions) does not", async () => {
    const eco = wrap(genai());
    const calls = await upstreamCalls(async () => {
      await eco.models.generateContent(ask("vary me", { temperature: 0 }));
      await eco.models.generateContent(ask("vary me", { temperature: 1 }));
      await eco.models.generateContent({ ...ask("vary me", { temperature: 0 }), model: "gemini-2.0-flash" });
      await eco.models.generateContent(ask("vary me too", { temperature: 0 }));
      await eco.models.generateContent(ask("vary me", { temperature: 0, abortSignal: new AbortController().signal, httpOptions: { timeout: 5000 } }));
    });
    expect(calls).toBe(4);
  });

  test("per-call httpOptions that change what is sent (extraBody, apiVersion, headers) are part of the key; timeout and tracing headers are not", async () => {
    const eco = wrap(genai());
    const hot = ask("extra body", { httpOptions: { extraBody: { generationConfig: { temperature: 0.9 } } } });
    let cold: GenerateContentResponse | undefined;
    let warm: GenerateContentResponse | undefined;
    const calls = await upstreamCalls(async () => {
      cold = await eco.models.generateContent(ask("extra body", { httpOptions: { extraBody: { generationConfig: { temperature: 0.1 } } } }));
      warm = await eco.models.generateContent(hot);
      await eco.models.generateContent(ask("extra body", { httpOptions: { apiVersion: "v1" } }));
      expect(up.sim.requests.at(-1)!.path).toBe("/gemini/v1/models/gemini-2.5-flash:generateContent");
      await eco.models.generateContent({ ...hot, config: { httpOptions: { ...hot.config!.httpOptions, timeout: 5000, headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } } } });
      await eco.models.generateContent({ ...hot, config: { httpOptions: { ...hot.config!.httpOptions, headers: { "x-goog-user-project": "billing-b" } } } });
    });
    expect(calls).toBe(4);
    expect(warm!.text).not.toBe(cold!.text!);
  });

  test("callable tools (code the SDK runs between requests) always go upstream", async () => {
    const eco = wrap(genai());
    const tool: CallableTool = {
      tool: async () => WEATHER_TOOL,
      callTool: async () => [{ functionResponse: { name: "getWeather", response: { temperature: 21 } } }],
    };
    const calls = await upstreamCalls(async () => {
      await eco.models.generateContent(ask("plain question with a callable tool", { tools: [tool] }));
      await eco.models.generateContent(ask("plain question with a callable tool", { tools: [tool] }));
    });
    expect(calls).toBe(2);
  });

});

describe("@google/genai usage records", () => {
  test("thinking tokens are output tokens: a hit saves them", async () => {
    const eco = wrap(genai());
    const live = await eco.models.generateContent(ask("Count my tokens please", { thinkingConfig: { thinkingBudget: 8 } }));
    await eco.models.generateContent(ask("Count my tokens please", { thinkingConfig: { thinkingBudget: 8 } }));
    const [hit] = await eco.history();
    const meta = live.usageMetadata!;
    expect(meta.thoughtsTokenCount).toBe(8);
    expect(hit).toMatchObject({ cacheHit: true, outputTokens: meta.candidatesTokenCount! + 8, tokensSaved: meta.candidatesTokenCount! + 8 });
    expect(hit!.costSavedUsd).toBeCloseTo(savingsFor(MODEL, { inputTokens: meta.promptTokenCount!, cachedInputTokens: 0, outputTokens: meta.candidatesTokenCount! + 8 }).costSavedUsd, 12);
  });

  test("prompt types on the SDK's wire shapes", async () => {
    const eco = wrap(genai());
    const image = { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } };
    const cases: [GenerateContentParameters, string][] = [
      [ask("plain"), "text"],
      [ask("structured", { responseMimeType: "application/json" }), "structured"],
      [ask("structured schema", { responseJsonSchema: { type: "object" } }), "structured"],
      [ask("tool", { tools: [WEATHER_TOOL] }), "tool"],
      [ask("search", { tools: [{ googleSearch: {} }] }), "tool"],
      [ask([{ text: "summarise" }, { fileData: { mimeType: "application/pdf", fileUri: "https://example.com/a.pdf" } }]), "file"],
      [ask([{ text: "transcribe" }, { inlineData: { mimeType: "audio/mp3", data: "SUQz" } }]), "audio"],
      [ask([{ text: "describe" }, image]), "image"],
      [ask([{ text: "describe" }, { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/a.jpg" } }]), "image"],
    ];
    for (const [request] of cases) await eco.models.generateContent(request);
    const records = (await eco.history({ limit: cases.length })).reverse();
    expect(records.map((record) => record.promptType)).toEqual(cases.map(([, type]) => type) as never);
    expect(records[7]!.prompt).toBe("describe");
  });
});

describe("@google/genai detection and forwarding", () => {
  test("a GoogleGenAI client is recognised by shape; other members are forwarded", async () => {
    const client = genai();
    expect(detectProvider(client).sdk).toContain("@google/genai");
    expect(detectProvider(client).provider).toBe("gemini");
    const eco = wrap(client);
    expect(eco.client).toBe(client);
    expect(eco.vertexai).toBe(false);
    expect(typeof eco.models.countTokens).toBe("function");
    expect(typeof eco.chats.create).toBe("function");
  });
});
