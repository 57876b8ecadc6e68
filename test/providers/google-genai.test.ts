import { describe, expect, test } from "bun:test";
import { ApiError, GenerateContentResponse, GoogleGenAI, Type, type CallableTool, type GenerateContentParameters } from "@google/genai";
import { detectProvider } from "../../src/providers/index.ts";
import { savingsFor } from "../../src/usage/pricing.ts";
import { GENERATE_ROUTE, STREAM_ROUTE, TEST_API_KEY, useGeminiUpstream } from "./gemini-clients.ts";

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

describe("@google/genai models.generateContent through the real SDK", () => {
  test("a repeated call makes no upstream request; the hit is a GenerateContentResponse like the live one", async () => {
    const eco = wrap(genai());
    let live: GenerateContentResponse | undefined;
    let hit: GenerateContentResponse | undefined;
    const calls = await upstreamCalls(async () => {
      live = await eco.models.generateContent(ask("Why is the sky blue?"));
      hit = await eco.models.generateContent(ask("Why is the sky blue?"));
    });
    expect(calls).toBe(1);
    expect(live).toBeInstanceOf(GenerateContentResponse);
    expect(hit).toBeInstanceOf(GenerateContentResponse);
    expect(hit).not.toBe(live!);
    expect(hit!.text).toBe(live!.text!);
    expect(hit!.text).toContain("Why is the sky blue?");
    expect(hit!.responseId).toBe(live!.responseId!);
    expect(hit!.usageMetadata).toEqual(live!.usageMetadata!);
    expect(JSON.parse(JSON.stringify(hit))).toEqual(JSON.parse(JSON.stringify(live)));
  });

  test("a hit in a new instance (a fresh process's view of the same cache file) is still a GenerateContentResponse", async () => {
    const first = wrap(genai(), {}, "shared-genai");
    const live = await first.models.generateContent(ask("cold start"));
    await first.close();
    const second = wrap(genai(), {}, "shared-genai");
    const calls = await upstreamCalls(async () => {
      const hit = await second.models.generateContent(ask("cold start"));
      expect(hit).toBeInstanceOf(GenerateContentResponse);
      expect(hit.text).toBe(live.text!);
    });
    expect(calls).toBe(0);
  });

  test("concurrent identical misses make one upstream request and every caller gets a GenerateContentResponse", async () => {
    const eco = wrap(genai());
    up.sim.delayMs = 40;
    try {
      const calls = await upstreamCalls(async () => {
        const results = await Promise.all(Array.from({ length: 5 }, () => eco.models.generateContent(ask("coalesce me"))));
        for (const result of results) {
          expect(result).toBeInstanceOf(GenerateContentResponse);
          expect(result.text).toBe(results[0]!.text!);
        }
      });
      expect(calls).toBe(1);
    } finally {
      up.sim.delayMs = 0;
    }
  });

  test("the key includes where the client sends requests", async () => {
    const vertex = new GoogleGenAI({ vertexai: true, project: "proj-a", location: "europe-west4" });
    expect(detectProvider(vertex).baseURL(vertex)).toBe("https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/proj-a/locations/europe-west4");
    expect(detectProvider(genai()).baseURL(genai())).toBe(`${up.sim.geminiBaseURL}/v1beta`);
  });

  test("function calls are served with .functionCalls equal to the live ones", async () => {
    const eco = wrap(genai());
    const request = ask("Weather in Paris? [sim:tool-call]", { tools: [WEATHER_TOOL] });
    const live = await eco.models.generateContent(request);
    const calls = await upstreamCalls(async () => {
      const hit = await eco.models.generateContent(request);
      expect(hit.functionCalls).toEqual(live.functionCalls!);
      expect(hit.functionCalls?.[0]?.name).toBe("getWeather");
    });
    expect(calls).toBe(0);
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

  test("generateContentStream streams and always goes upstream", async () => {
    const eco = wrap(genai());
    const whole = await eco.models.generateContent(ask("stream this"));
    const calls = await upstreamCalls(async () => {
      for (let round = 0; round < 2; round++) {
        let text = "";
        let chunks = 0;
        for await (const chunk of await eco.models.generateContentStream(ask("stream this"))) {
          text += chunk.text ?? "";
          chunks++;
        }
        expect(chunks).toBeGreaterThan(1);
        expect(text).toBe(whole.text!);
      }
    }, STREAM_ROUTE);
    expect(calls).toBe(2);
  });

  test("an upstream error is the SDK's own ApiError and is not cached", async () => {
    const eco = wrap(genai());
    up.sim.failNext(503, { route: GENERATE_ROUTE });
    const failure = await eco.models.generateContent(ask("fails once")).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(503);
    const calls = await upstreamCalls(async () => {
      expect((await eco.models.generateContent(ask("fails once"))).text).toBeString();
    });
    expect(calls).toBe(1);
  });

  test("non-answers are not cached: a safety stop, a blocked prompt, invalid JSON when JSON was asked for", async () => {
    const eco = wrap(genai());
    const requests = [
      ask("[sim:content-filter] tell me"),
      ask("[sim:refusal] tell me"),
      ask("[sim:invalid-json] give json", { responseMimeType: "application/json" }),
      ask("[sim:invalid-json] give json", { responseMimeType: "application/json", responseSchema: { type: Type.OBJECT, properties: { a: { type: Type.STRING } } } }),
    ];
    for (const request of requests) {
      const calls = await upstreamCalls(async () => {
        await eco.models.generateContent(request);
        await eco.models.generateContent(request);
      });
      expect(calls).toBe(2);
    }
  });

  test("valid JSON output and a MAX_TOKENS stop are cached", async () => {
    const eco = wrap(genai());
    const json = ask("give json", { responseMimeType: "application/json", responseSchema: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ["city"] } });
    const short = ask("a long story please about many things", { maxOutputTokens: 2 });
    for (const request of [json, short]) {
      const calls = await upstreamCalls(async () => {
        const first = await eco.models.generateContent(request);
        const second = await eco.models.generateContent(request);
        expect(second.text).toBe(first.text!);
      });
      expect(calls).toBe(1);
    }
    const hit = await eco.models.generateContent(short);
    expect(hit.candidates?.[0]?.finishReason).toBe("MAX_TOKENS" as never);
    expect(JSON.parse((await eco.models.generateContent(json)).text!)).toHaveProperty("city");
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

  test("per-call ecoai options go in a second argument and never reach the SDK", async () => {
    const eco = wrap(genai());
    const calls = await upstreamCalls(async () => {
      await eco.models.generateContent(ask("per-call"), { ecoai: { bypass: true } });
      const first = await eco.models.generateContent(ask("per-call"));
      const refreshed = await eco.models.generateContent(ask("per-call"), { ecoai: { refresh: true } });
      expect(refreshed.responseId).not.toBe(first.responseId!);
      expect((await eco.models.generateContent(ask("per-call"))).responseId).toBe(refreshed.responseId!);
    });
    expect(calls).toBe(3);
    expect(JSON.stringify(up.sim.requests.at(-1)?.body)).not.toContain("ecoai");
  });
});

describe("@google/genai usage records", () => {
  test("provider gemini, the model, the prompt type and the savings of a hit", async () => {
    const eco = wrap(genai({ "x-sim-cached-tokens": "4" }));
    const live = await eco.models.generateContent(ask("Count my tokens please", { thinkingConfig: { thinkingBudget: 8 } }));
    await eco.models.generateContent(ask("Count my tokens please", { thinkingConfig: { thinkingBudget: 8 } }));
    const [hit, miss] = await eco.history();
    const meta = live.usageMetadata!;
    const usage = { inputTokens: meta.promptTokenCount!, cachedInputTokens: 4, outputTokens: meta.candidatesTokenCount! + meta.thoughtsTokenCount! };
    expect(meta.thoughtsTokenCount).toBe(8);
    expect(miss).toMatchObject({ provider: "gemini", model: MODEL, cacheHit: false, tokensSaved: 0, promptType: "text", prompt: "Count my tokens please" });
    expect(hit).toMatchObject({ provider: "gemini", model: MODEL, cacheHit: true, promptType: "text", inputTokens: usage.inputTokens, outputTokens: usage.outputTokens });
    const saved = savingsFor(MODEL, usage, {});
    expect(hit!.tokensSaved).toBe(usage.outputTokens);
    expect(hit!.costSavedUsd).toBeCloseTo(saved.costSavedUsd, 12);
    expect(hit!.costSavedUsd).toBeGreaterThan(0);
    expect(hit!.co2SavedG).toBeCloseTo(saved.co2SavedG, 12);
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
