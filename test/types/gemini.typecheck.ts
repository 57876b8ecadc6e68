/**
 * Compiled by `tsc --noEmit` in `npm test`, never run: calls through EcoAI to both Gemini SDKs
 * type-check with the SDKs' own types, per-call `ecoai` options included, and wrong ones do not.
 */
import { GenerateContentResponse, GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI, type GenerateContentResult } from "@google/generative-ai";
import { EcoAI } from "../../src/index.ts";

export async function genaiTypeChecks(): Promise<void> {
  const eco = new EcoAI({ client: new GoogleGenAI({ apiKey: "types" }) });

  const response: GenerateContentResponse = await eco.models.generateContent({ model: "gemini-2.5-flash", contents: "hi", config: { temperature: 0 } });
  const text: string | undefined = response.text;
  void text;
  // `@google/genai` keeps its own request options inside `config`; ecoai's go in a second argument.
  await eco.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" }, { ecoai: { ttl: 60, namespace: "tenant" } });

  for await (const chunk of await eco.models.generateContentStream({ model: "gemini-2.5-flash", contents: "hi" })) void chunk.text;

  // @ts-expect-error unknown per-call option
  await eco.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" }, { ecoai: { nope: true } });
  // @ts-expect-error contents is required, as in the SDK
  await eco.models.generateContent({ model: "gemini-2.5-flash" });
  // @ts-expect-error a non-stream call has no async iterator
  for await (const chunk of await eco.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" })) void chunk;

  const vertex: boolean = eco.vertexai;
  void vertex;
}

export async function generativeAITypeChecks(): Promise<void> {
  const model = new GoogleGenerativeAI("types").getGenerativeModel({ model: "gemini-1.5-flash" });
  const eco = new EcoAI({ client: model });

  const result: GenerateContentResult = await eco.generateContent("hi", { ecoai: { bypass: true }, timeout: 5000 });
  const text: string = result.response.text();
  void text;
  await eco.generateContent(["hi", { inlineData: { mimeType: "image/png", data: "iVBO" } }]);
  await eco.generateContent({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
  const { stream } = await eco.generateContentStream("hi");
  for await (const chunk of stream) void chunk.text();

  // @ts-expect-error the request is a string, parts or a request object
  await eco.generateContent(42);
  // @ts-expect-error ttl is a number of seconds
  await eco.generateContent("hi", { ecoai: { ttl: "1h" } });
  // @ts-expect-error a result is not a response: text() lives on result.response
  void (await eco.generateContent("hi")).text();

  const name: string = eco.model;
  void name;
}
