import { describe, expect, test } from "bun:test";
import { GoogleGenerativeAI, GoogleGenerativeAIFetchError, SchemaType, type GenerateContentResult, type ModelParams, type Tool } from "@google/generative-ai";
import { EcoAIConfigError } from "../../src/errors.ts";
import { detectProvider } from "../../src/providers/index.ts";
import { savingsFor } from "../../src/usage/pricing.ts";
import { GENERATE_ROUTE, STREAM_ROUTE, TEST_API_KEY, useGeminiUpstream } from "./gemini-clients.ts";

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

describe("@google/generative-ai GenerativeModel.generateContent through the real SDK", () => {
  test("a repeated call makes no upstream request; the hit's response.text() is the live one's", async () => {
    const eco = wrap(model());
    let live: GenerateContentResult | undefined;
    let hit: GenerateContentResult | undefined;
    const calls = await upstreamCalls(async () => {
      live = await eco.generateContent("Why is the sky blue?");
      hit = await eco.generateContent("Why is the sky blue?");
    });
    expect(calls).toBe(1);
    expect(hit).not.toBe(live!);
    expect(Object.keys(hit!)).toEqual(Object.keys(live!));
    expect(Object.keys(hit!.response)).toEqual(Object.keys(live!.response));
    expect(hit!.response.text()).toBe(live!.response.text());
    expect(hit!.response.text()).toContain("Why is the sky blue?");
    expect(hit!.response.functionCalls()).toBeUndefined();
    expect(JSON.parse(JSON.stringify(hit))).toEqual(JSON.parse(JSON.stringify(live)));
  });

  test("function calls are served with functionCalls() equal to the live ones", async () => {
    const eco = wrap(model({ tools: [WEATHER_TOOL] }));
    const live = await eco.generateContent("Weather in Paris? [sim:tool-call]");
    const calls = await upstreamCalls(async () => {
      const hit = await eco.generateContent("Weather in Paris? [sim:tool-call]");
      expect(hit.response.functionCalls()).toEqual(live.response.functionCalls()!);
      expect(hit.response.functionCalls()?.[0]?.name).toBe("getWeather");
      expect(hit.response.text()).toBe(live.response.text());
    });
    expect(calls).toBe(0);
  });

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

  test("generateContentStream streams and always goes upstream", async () => {
    const eco = wrap(model());
    const whole = await eco.generateContent("stream this");
    const calls = await upstreamCalls(async () => {
      for (let round = 0; round < 2; round++) {
        const { stream, response } = await eco.generateContentStream("stream this");
        let text = "";
        let chunks = 0;
        for await (const chunk of stream) {
          text += chunk.text();
          chunks++;
        }
        expect(chunks).toBeGreaterThan(1);
        expect(text).toBe(whole.response.text());
        expect((await response).text()).toBe(whole.response.text());
      }
    }, STREAM_ROUTE);
    expect(calls).toBe(2);
  });

  test("an upstream error is the SDK's own GoogleGenerativeAIFetchError and is not cached", async () => {
    const eco = wrap(model());
    up.sim.failNext(429, { route: GENERATE_ROUTE, message: "Resource has been exhausted (e.g. check quota)." });
    const failure = await eco.generateContent("fails once").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GoogleGenerativeAIFetchError);
    expect((failure as GoogleGenerativeAIFetchError).status).toBe(429);
    expect((failure as Error).message).toContain("Resource has been exhausted");
    const calls = await upstreamCalls(async () => {
      expect((await eco.generateContent("fails once")).response.text()).toBeString();
    });
    expect(calls).toBe(1);
  });

  test("input the SDK rejects is rejected by the SDK, not by ecoai", async () => {
    const eco = wrap(model());
    const before = up.sim.count();
    const mixed = await eco.generateContent([{ text: "a" }, { functionResponse: { name: "f", response: {} } }]).catch((error: unknown) => error);
    expect((mixed as Error).constructor.name).toBe("GoogleGenerativeAIError");
    expect(up.sim.count()).toBe(before);
  });

  test("non-answers are not cached: a safety stop, a blocked prompt, invalid JSON when JSON was asked for", async () => {
    const json = wrap(model({ generationConfig: { responseMimeType: "application/json" } }));
    const plain = wrap(model());
    for (const [eco, prompt] of [[plain, "[sim:content-filter] tell me"], [plain, "[sim:refusal] tell me"], [json, "[sim:invalid-json] give json"]] as const) {
      const calls = await upstreamCalls(async () => {
        await eco.generateContent(prompt);
        await eco.generateContent(prompt);
      });
      expect(calls).toBe(2);
    }
  });

  test("valid JSON output and a MAX_TOKENS stop are cached", async () => {
    const json = wrap(model({ generationConfig: { responseMimeType: "application/json", responseSchema: { type: SchemaType.OBJECT, properties: { city: { type: SchemaType.STRING } }, required: ["city"] } } }));
    const short = wrap(model({ generationConfig: { maxOutputTokens: 2 } }));
    for (const eco of [json, short]) {
      const calls = await upstreamCalls(async () => {
        const first = await eco.generateContent("a long story please about many things");
        const second = await eco.generateContent("a long story please about many things");
        expect(second.response.text()).toBe(first.response.text());
      });
      expect(calls).toBe(1);
    }
    expect((await short.generateContent("a long story please about many things")).response.candidates?.[0]?.finishReason).toBe("MAX_TOKENS" as never);
    expect(JSON.parse((await json.generateContent("a long story please about many things")).response.text())).toHaveProperty("city");
  });

  test("the ecoai key is stripped from the request options; the SDK's own options still apply", async () => {
    const eco = wrap(model());
    const calls = await upstreamCalls(async () => {
      await eco.generateContent("options", { ecoai: { bypass: true }, customHeaders: { "x-custom": "kept" } });
      await eco.generateContent("options", { ecoai: { bypass: true } });
    });
    expect(calls).toBe(2);
    const sent = up.sim.requests.at(-2)!;
    expect(sent.headers["x-custom"]).toBe("kept");
    expect(Object.keys(sent.headers).some((name) => name.includes("ecoai"))).toBe(false);
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

describe("@google/generative-ai usage records", () => {
  test("provider gemini, the model without its models/ prefix, the prompt type and the savings of a hit", async () => {
    const eco = wrap(model({}, { "x-sim-cached-tokens": "3" }));
    const live = await eco.generateContent("Count my tokens please");
    await eco.generateContent("Count my tokens please");
    const [hit, miss] = await eco.history();
    const meta = live.response.usageMetadata!;
    const usage = { inputTokens: meta.promptTokenCount, cachedInputTokens: 3, outputTokens: meta.candidatesTokenCount };
    expect(miss).toMatchObject({ provider: "gemini", model: MODEL, cacheHit: false, tokensSaved: 0, promptType: "text", prompt: "Count my tokens please" });
    expect(hit).toMatchObject({ provider: "gemini", model: MODEL, cacheHit: true, promptType: "text", tokensSaved: usage.outputTokens });
    expect(hit!.costSavedUsd).toBeCloseTo(savingsFor(MODEL, usage, {}).costSavedUsd, 12);
    expect(hit!.costSavedUsd).toBeGreaterThan(0);
    expect(hit!.co2SavedG).toBeGreaterThan(0);
  });

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
