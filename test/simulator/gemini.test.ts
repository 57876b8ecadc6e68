import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const body = (text: string, extra: Record<string, unknown> = {}) => JSON.stringify({ contents: [{ role: "user", parts: [{ text }] }], ...extra });

function post(path: string, payload: string, headers: Record<string, string> = { "x-goog-api-key": "k" }) {
  return fetch(`${sim.geminiBaseURL}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload });
}

describe("Gemini wire format", () => {
  test("generateContent answers with candidates and usage, under any API version, keyed by header or ?key=", async () => {
    const byHeader = await post("/v1beta/models/gemini-2.5-flash:generateContent", body("Hello"));
    const byQuery = await post("/v1/models/gemini-2.5-flash:generateContent?key=k", body("Hello"), {});
    for (const response of [byHeader, byQuery]) {
      expect(response.status).toBe(200);
      const json = (await response.json()) as { candidates: { content: { parts: { text: string }[] }; finishReason: string }[]; usageMetadata: Record<string, number> };
      expect(json.candidates[0]!.finishReason).toBe("STOP");
      expect(json.candidates[0]!.content.parts[0]!.text).toContain("Hello");
      expect(json.usageMetadata.totalTokenCount).toBe(json.usageMetadata.promptTokenCount! + json.usageMetadata.candidatesTokenCount!);
    }
    expect(sim.count("gemini.generateContent")).toBe(2);
  });

  test("no key is a 403 PERMISSION_DENIED; failNext answers with Gemini's error shape", async () => {
    const anonymous = await post("/v1beta/models/gemini-2.5-flash:generateContent", body("Hello"), {});
    expect(anonymous.status).toBe(403);
    expect(((await anonymous.json()) as { error: { status: string } }).error.status).toBe("PERMISSION_DENIED");
    sim.failNext(429, { route: "gemini.generateContent" });
    const limited = await post("/v1beta/models/gemini-2.5-flash:generateContent", body("Hello"));
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
  });

  test("streamGenerateContent streams SSE with alt=sse, and the same chunks as a JSON array without", async () => {
    const sse = await post("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", body("Stream a fairly long answer to me"));
    expect(sse.headers.get("content-type")).toContain("text/event-stream");
    const events = (await sse.text()).split("\n\n").filter((event) => event.startsWith("data: "));
    expect(events.length).toBeGreaterThan(2);
    expect(JSON.parse(events.at(-1)!.slice(6)).candidates[0].finishReason).toBe("STOP");
    const array = (await (await post("/v1beta/models/gemini-2.5-flash:streamGenerateContent", body("Stream a fairly long answer to me"))).json()) as Array<{ candidates: { content?: { parts: { text: string }[] } }[] }>;
    expect(array).toHaveLength(events.length);
    const text = (chunks: typeof array) => chunks.map((chunk) => chunk.candidates[0]!.content?.parts[0]!.text ?? "").join("");
    expect(text(array)).toBe(text(events.map((event) => JSON.parse(event.slice(6)))));
    expect(sim.count("gemini.streamGenerateContent")).toBe(2);
  });

  test("markers: safety stop, blocked prompt, function call, invalid JSON", async () => {
    const answer = async (payload: string) => (await (await post("/v1beta/models/gemini-2.5-flash:generateContent", payload)).json()) as Record<string, any>;
    expect((await answer(body("[sim:content-filter] x"))).candidates[0].finishReason).toBe("SAFETY");
    const blocked = await answer(body("[sim:refusal] x"));
    expect(blocked.promptFeedback.blockReason).toBe("SAFETY");
    expect(blocked.candidates).toBeUndefined();
    const tools = [{ functionDeclarations: [{ name: "lookup", parameters: { type: "OBJECT", properties: { q: { type: "STRING" } }, required: ["q"] } }] }];
    const call = await answer(body("[sim:tool-call] find it", { tools }));
    expect(call.candidates[0].content.parts[0].functionCall).toEqual({ name: "lookup", args: { q: "find it" } });
    const forced = await answer(body("find it", { tools, toolConfig: { functionCallingConfig: { mode: "ANY" } } }));
    expect(forced.candidates[0].content.parts[0].functionCall.name).toBe("lookup");
    const json = { generationConfig: { responseMimeType: "application/json" } };
    expect(JSON.parse((await answer(body("give json", json))).candidates[0].content.parts[0].text)).toHaveProperty("answer");
    const invalid = (await answer(body("[sim:invalid-json] give json", json))).candidates[0].content.parts[0].text as string;
    expect(() => JSON.parse(invalid)).toThrow();
  });
});
