import { describe, expect, test } from "bun:test";
import {
  GoogleGenerativeAI,
  GoogleGenerativeAIFetchError,
  SchemaType,
  type GenerateContentRequest,
  type EnhancedGenerateContentResponse,
  type GenerateContentResult,
  type GenerationConfig,
  type GenerativeModel,
  type ModelParams,
  type Tool,
} from "@google/generative-ai";
import { EcoAIConfigError } from "../../src/errors.ts";
import { detectProvider } from "../../src/providers/index.ts";
import { SIM_MARKERS } from "../../src/simulator/index.ts";
import { GENERATE_ROUTE, STREAM_ROUTE, TEST_API_KEY, useGeminiUpstream } from "./gemini-clients.ts";
import { FOREIGN_ANSWERS } from "./suite-answers.ts";
import { FOLLOWERS_SKIP, runGeminiFollowers } from "./gemini-stream-cases.ts";
import { isJson, runProviderSuite, type Surface } from "./suite.ts";
import { runStreamSuite, type Streamed, type StreamSurface } from "./suite-streams.ts";

const { up, wrap, upstreamCalls } = useGeminiUpstream();
const MODEL = "gemini-1.5-flash";

function model(params: Partial<ModelParams> = {}, headers: Record<string, string> = {}) {
  return new GoogleGenerativeAI(TEST_API_KEY).getGenerativeModel({ model: MODEL, ...params }, { baseUrl: up.sim.geminiBaseURL, customHeaders: headers });
}

const WEATHER_TOOL: Tool = {
  functionDeclarations: [
    {
      name: "getWeather",
      description: "Current weather in a city",
      parameters: { type: SchemaType.OBJECT, properties: { city: { type: SchemaType.STRING } }, required: ["city"] },
    },
  ],
};

/** A request object with one user turn, and fields the SDK would otherwise take from the model. */
const turn = (text: string, fields: Omit<GenerateContentRequest, "contents"> = {}): GenerateContentRequest => ({ contents: [{ role: "user", parts: [{ text }] }], ...fields });
const CITY_JSON: GenerationConfig = { responseMimeType: "application/json", responseSchema: { type: SchemaType.OBJECT, properties: { city: { type: SchemaType.STRING } }, required: ["city"] } };
const finish = ({ response }: GenerateContentResult) => String(response.candidates?.[0]?.finishReason ?? response.promptFeedback?.blockReason ?? "");

const generateContent: Surface<GenerativeModel, string | GenerateContentRequest, GenerateContentResult> = {
  name: "@google/generative-ai GenerativeModel.generateContent",
  provider: "gemini",
  route: GENERATE_ROUTE,
  model: MODEL,
  promptType: "text",
  client: (sim, headers) => new GoogleGenerativeAI(TEST_API_KEY).getGenerativeModel({ model: MODEL }, { baseUrl: sim.geminiBaseURL, customHeaders: headers }),
  request: (prompt) => prompt,
  call: (client, request, ecoai) => client.generateContent(request, ecoai && { ecoai }),
  read: ({ response }) => {
    const calls = response.functionCalls();
    const meta = response.usageMetadata;
    return {
      id: (response as { responseId?: string }).responseId,
      text: calls ? "" : response.text(),
      toolCalls: (calls ?? []).map((call) => ({ name: call.name, arguments: call.args })),
      finishReason: String(response.candidates?.[0]?.finishReason ?? ""),
      usage: { inputTokens: meta?.promptTokenCount ?? 0, cachedInputTokens: meta?.cachedContentTokenCount ?? 0, outputTokens: meta?.candidatesTokenCount ?? 0 },
    };
  },
  receivedOnly: [],
  errors: [
    { status: 429, type: GoogleGenerativeAIFetchError },
    { status: 500, type: GoogleGenerativeAIFetchError },
    { status: 400, type: GoogleGenerativeAIFetchError },
  ],
  nonAnswers: [
    { name: "safety stop", request: (prompt) => `${SIM_MARKERS.contentFilter} ${prompt}`, is: (r) => finish(r) === "SAFETY" },
    { name: "blocked prompt", request: (prompt) => `${SIM_MARKERS.refusal} ${prompt}`, is: (r) => r.response.promptFeedback?.blockReason !== undefined && r.response.candidates === undefined },
    { name: "invalid JSON in JSON mode", request: (prompt) => turn(`${SIM_MARKERS.invalidJson} ${prompt}`, { generationConfig: { responseMimeType: "application/json" } }), is: (r) => finish(r) === "STOP" && !isJson(r.response.text()) },
  ],
  answers: [
    { name: "MAX_TOKENS stop", request: (prompt) => turn(prompt, { generationConfig: { maxOutputTokens: 2 } }), is: (r) => finish(r) === "MAX_TOKENS" },
    { name: "valid JSON under a schema", request: (prompt) => turn(prompt, { generationConfig: CITY_JSON }), is: (r) => isJson(r.response.text()) && "city" in JSON.parse(r.response.text()) },
    { name: "function call", request: (prompt) => turn(`${prompt} ${SIM_MARKERS.toolCall}`, { tools: [WEATHER_TOOL] }), is: (r) => r.response.functionCalls()?.[0]?.name === "getWeather" },
  ],
  foreign: { response: FOREIGN_ANSWERS.chatCompletion },
  promptCache: true,
};

runProviderSuite(up, generateContent);

type Chunks = Streamed<unknown, EnhancedGenerateContentResponse>;
const chunksOf = ({ events }: Chunks) => events as EnhancedGenerateContentResponse[];
const streamedText = (seen: Chunks) => chunksOf(seen).map((chunk) => chunk.candidates?.[0]?.content?.parts?.map((part) => part.text ?? "").join("") ?? "").join("");
const streamFinish = ({ final }: Chunks) => String(final.candidates?.[0]?.finishReason ?? final.promptFeedback?.blockReason ?? "");

const generateContentStream: StreamSurface<GenerativeModel, string | GenerateContentRequest, EnhancedGenerateContentResponse> = {
  ...generateContent,
  name: "@google/generative-ai GenerativeModel.generateContentStream",
  route: STREAM_ROUTE,
  async open(client, request, { ecoai, signal }) {
    const { stream, response } = await client.generateContentStream(request, { ...(ecoai && { ecoai }), ...(signal && { signal }) });
    // A caller that only iterates the stream never sees `response` settle.
    response.catch(() => {});
    return stream;
  },
  async call(client, request, ecoai) {
    const result = await client.generateContentStream(request, ecoai && { ecoai });
    expect(Object.keys(result)).toEqual(["stream", "response"]);
    // A stream that fails rejects `response` too; the stream's own error is the one reported.
    result.response.catch(() => {});
    // The chunks' data: their helpers are new functions on every chunk, which no two streams share.
    const events: EnhancedGenerateContentResponse[] = [];
    for await (const chunk of result.stream) {
      expect([typeof chunk.text, typeof chunk.functionCalls]).toEqual(["function", "function"]);
      events.push(JSON.parse(JSON.stringify(chunk)) as EnhancedGenerateContentResponse);
    }
    return { events, final: await result.response };
  },
  read: (seen) => {
    // The SDK's aggregate has no id: a caller reads it from the chunks.
    const { final } = seen;
    const calls = final.functionCalls();
    const meta = final.usageMetadata;
    return {
      id: (chunksOf(seen)[0] as { responseId?: string } | undefined)?.responseId,
      text: calls ? "" : final.text(),
      toolCalls: (calls ?? []).map((call) => ({ name: call.name, arguments: call.args })),
      finishReason: streamFinish(seen),
      usage: { inputTokens: meta?.promptTokenCount ?? 0, cachedInputTokens: meta?.cachedContentTokenCount ?? 0, outputTokens: meta?.candidatesTokenCount ?? 0 },
    };
  },
  nonAnswers: [
    { name: "safety stop", request: (prompt) => `${SIM_MARKERS.contentFilter} ${prompt}`, is: (seen) => streamFinish(seen) === "SAFETY" },
    { name: "blocked prompt", request: (prompt) => `${SIM_MARKERS.refusal} ${prompt}`, is: ({ final }) => final.promptFeedback?.blockReason !== undefined && final.candidates === undefined },
    { name: "invalid JSON in JSON mode", request: (prompt) => turn(`${SIM_MARKERS.invalidJson} ${prompt}`, { generationConfig: { responseMimeType: "application/json" } }), is: (seen) => streamFinish(seen) === "STOP" && !isJson(streamedText(seen)) },
  ],
  answers: [
    { name: "MAX_TOKENS stop", request: (prompt) => turn(prompt, { generationConfig: { maxOutputTokens: 2 } }), is: (seen) => streamFinish(seen) === "MAX_TOKENS" },
    { name: "valid JSON under a schema", request: (prompt) => turn(prompt, { generationConfig: CITY_JSON }), is: (seen) => isJson(streamedText(seen)) && "city" in JSON.parse(streamedText(seen)) },
    { name: "function call", request: (prompt) => turn(`${prompt} ${SIM_MARKERS.toolCall}`, { tools: [WEATHER_TOOL] }), is: ({ final }) => final.functionCalls()?.[0]?.name === "getWeather" },
  ],
  skip: [
    FOLLOWERS_SKIP,
    { reason: "the SDK reads an abandoned `stream` to its end for `response`, so the whole answer arrives and is stored", tests: ["abandoned"] },
  ],
};

runProviderSuite(up, generateContentStream);
runStreamSuite(up, generateContentStream, generateContent);
runGeminiFollowers(up, generateContentStream);

describe("@google/generative-ai GenerativeModel.generateContent through the real SDK", () => {
  test("a string, a parts array and a request object that mean the same request share a key", async () => {
    const eco = wrap(model());
    const calls = await upstreamCalls(async () => {
      await eco.generateContent("same request");
      await eco.generateContent(["same request"]);
      await eco.generateContent([{ text: "same request" }]);
      await eco.generateContent({ contents: [{ role: "user", parts: [{ text: "same request" }] }] });
    });
    expect(calls).toBe(1);
  });

  test("the model's own settings enter the key; the request's fields override them as in the SDK", async () => {
    const cold = wrap(model({ generationConfig: { temperature: 0 } }), {}, "settings");
    const warm = wrap(model({ generationConfig: { temperature: 1 } }), {}, "settings");
    const system = wrap(model({ generationConfig: { temperature: 0 }, systemInstruction: "Answer in French." }), {}, "settings");
    const safe = wrap(model({ generationConfig: { temperature: 0 }, safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT" as never, threshold: "BLOCK_LOW_AND_ABOVE" as never }] }), {}, "settings");
    const other = wrap(new GoogleGenerativeAI(TEST_API_KEY).getGenerativeModel({ model: "gemini-2.0-flash", generationConfig: { temperature: 0 } }, { baseUrl: up.sim.geminiBaseURL }), {}, "settings");
    const turn = { role: "user", parts: [{ text: "settings question" }] };
    const steps: [() => Promise<unknown>, number][] = [
      [() => cold.generateContent("settings question"), 1],
      [() => warm.generateContent("settings question"), 1], // temperature
      [() => system.generateContent("settings question"), 1], // system instruction
      [() => safe.generateContent("settings question"), 1], // safety settings
      [() => other.generateContent("settings question"), 1], // model
      [() => cold.generateContent("settings question"), 0],
      [() => warm.generateContent({ contents: [turn], generationConfig: { temperature: 0 } }), 0], // cold's request
      [() => system.generateContent({ contents: [turn], systemInstruction: "Answer in French." }), 0],
      [() => cold.generateContent({ contents: [turn], systemInstruction: { role: "system", parts: [{ text: "Answer in French." }] } }), 0], // system's request
    ];
    const calls = [];
    for (const [step] of steps) calls.push(await upstreamCalls(step));
    expect(calls).toEqual(steps.map(([, expected]) => expected));
  });

  test("input the SDK rejects is rejected by the SDK, not by ecoai", async () => {
    const eco = wrap(model());
    const before = up.sim.count();
    const mixed = await eco.generateContent([{ text: "a" }, { functionResponse: { name: "f", response: {} } }]).catch((error: unknown) => error);
    expect((mixed as Error).constructor.name).toBe("GoogleGenerativeAIError");
    expect(up.sim.count()).toBe(before);
  });

  test("JSON mode set on the model decides what is an answer: invalid JSON is not cached, valid JSON is", async () => {
    const json = wrap(model({ generationConfig: { responseMimeType: "application/json", responseSchema: { type: SchemaType.OBJECT, properties: { city: { type: SchemaType.STRING } }, required: ["city"] } } }));
    const calls = await upstreamCalls(async () => {
      for (let round = 0; round < 2; round++) await json.generateContent(`${SIM_MARKERS.invalidJson} give json`);
    });
    expect(calls).toBe(2);
    const valid = await upstreamCalls(async () => {
      const first = await json.generateContent("give json");
      expect(JSON.parse(first.response.text())).toHaveProperty("city");
      expect((await json.generateContent("give json")).response.text()).toBe(first.response.text());
    });
    expect(valid).toBe(1);
  });

  test("the SDK's own request options still apply beside ecoai's", async () => {
    const eco = wrap(model());
    await eco.generateContent("options", { ecoai: { bypass: true }, customHeaders: { "x-custom": "kept" } });
    expect(up.sim.requests.at(-1)!.headers["x-custom"]).toBe("kept");
  });

  test("per-call request options that change where the request goes (apiVersion, baseUrl) are part of the key", async () => {
    const eco = wrap(model());
    const calls = await upstreamCalls(async () => {
      await eco.generateContent("versioned");
      await eco.generateContent("versioned", { apiVersion: "v1" });
      expect(up.sim.requests.at(-1)!.path).toBe(`/gemini/v1/models/${MODEL}:generateContent`);
      await eco.generateContent("versioned", { apiVersion: "v1", timeout: 5000 });
      await eco.generateContent("versioned", { baseUrl: up.sim.geminiBaseURL, apiVersion: "v1beta" });
    });
    expect(calls).toBe(2);
  });
});

describe("@google/generative-ai generateContentStream through ecoai", () => {
  /** What `text()` does on every chunk and on `response`: its text, or the error it throws. */
  const outcomes = async (result: Awaited<ReturnType<GenerativeModel["generateContentStream"]>>) => {
    const texts: string[] = [];
    for await (const chunk of result.stream) {
      try {
        texts.push(chunk.text());
      } catch (error) {
        texts.push(`${(error as Error).constructor.name}: ${(error as Error).message}`);
      }
    }
    const response = await result.response;
    let final: string;
    try {
      final = response.text();
    } catch (error) {
      final = `${(error as Error).constructor.name}: ${(error as Error).message}`;
    }
    return { texts, final, aggregate: JSON.stringify(response) };
  };

  test("chunks and the aggregated response behave as the SDK's own, their errors included (safety stop, blocked prompt)", async () => {
    for (const prompt of [`Explain ${SIM_MARKERS.long}`, `${SIM_MARKERS.contentFilter} risky`, `${SIM_MARKERS.refusal} bad`]) {
      const direct = await outcomes(await model().generateContentStream(prompt));
      const eco = wrap(model());
      expect(await outcomes(await eco.generateContentStream(prompt))).toEqual(direct);
      expect(direct.texts.length).toBeGreaterThan(0);
    }
    const blocked = await outcomes(await model().generateContentStream(`${SIM_MARKERS.refusal} bad`));
    expect(blocked.final).toStartWith("GoogleGenerativeAIResponseError: ");
  });

  test("an error status rejects the call with the SDK's GoogleGenerativeAIFetchError, as without ecoai", async () => {
    up.sim.failNext(400, { route: STREAM_ROUTE, message: "Bad request from the simulator." });
    const direct = await model().generateContentStream("refused").catch((error: unknown) => error as Error);
    up.sim.failNext(400, { route: STREAM_ROUTE, message: "Bad request from the simulator." });
    const wrapped = await wrap(model()).generateContentStream("refused").catch((error: unknown) => error as Error);
    expect(wrapped).toBeInstanceOf(GoogleGenerativeAIFetchError);
    expect([(wrapped as Error).message, (wrapped as GoogleGenerativeAIFetchError).status]).toEqual([(direct as Error).message, 400]);
  });
});

describe("@google/generative-ai usage records", () => {
  test("prompt types on the SDK's wire shapes", async () => {
    const plain = wrap(model());
    const cases: [typeof plain, Parameters<typeof plain.generateContent>[0], string][] = [
      [plain, "plain", "text"],
      [wrap(model({ generationConfig: { responseMimeType: "application/json" } })), "structured", "structured"],
      [wrap(model({ tools: [WEATHER_TOOL] })), "tool", "tool"],
      [plain, [{ text: "summarise" }, { fileData: { mimeType: "application/pdf", fileUri: "https://example.com/a.pdf" } }], "file"],
      [plain, [{ text: "transcribe" }, { inlineData: { mimeType: "audio/wav", data: "UklGRg==" } }], "audio"],
      [plain, [{ text: "describe" }, { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } }], "image"],
    ];
    const records = [];
    for (const [eco, request] of cases) {
      await eco.generateContent(request);
      records.push((await eco.history({ limit: 1 }))[0]!);
    }
    expect(records.map((record) => record.promptType)).toEqual(cases.map(([, , type]) => type) as never);
    expect(records[5]!.prompt).toBe("describe");
  });
});

describe("detection of the Gemini clients", () => {
  test("a GenerativeModel is recognised by shape and its other members are forwarded", async () => {
    const client = model();
    expect(detectProvider(client).sdk).toContain("@google/generative-ai");
    const eco = wrap(client);
    expect(eco.model).toBe(`models/${MODEL}`);
    expect(eco.client).toBe(client);
    expect(typeof eco.startChat).toBe("function");
  });

  test("the GoogleGenerativeAI factory is not a client; the error lists every supported one", () => {
    let caught: unknown;
    try {
      detectProvider(new GoogleGenerativeAI(TEST_API_KEY));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EcoAIConfigError);
    for (const sdk of ["openai", "@google/genai", "@google/generative-ai"]) expect((caught as Error).message).toContain(sdk);
  });
});
