/**
 * Compiled by `tsc --noEmit` in `npm test`, never run: a wrapped client goes wherever its SDK's
 * client type is expected, `withOptions()` keeps the wrapper, and a client of no supported shape
 * is refused by the type checker.
 */
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI, type GenerativeModel } from "@google/generative-ai";
import OpenAI, { AzureOpenAI } from "openai";
import { EcoAI, type SupportedClient } from "../../src/index.ts";

/** Helpers typed with the SDKs' own classes, as an app, a DI container or an agent library has them. */
declare function withOpenAI(client: OpenAI): void;
declare function withAnthropic(client: Anthropic): void;
declare function withGenAI(client: GoogleGenAI): void;
declare function withModel(model: GenerativeModel): void;

export function assignable(): void {
  const openai = new EcoAI({ client: new OpenAI({ apiKey: "sk-types" }) });
  withOpenAI(openai);
  const asOpenAI: OpenAI = openai;
  void asOpenAI;

  const claude = new EcoAI({ client: new Anthropic({ apiKey: "sk-types" }) });
  withAnthropic(claude);
  const asAnthropic: Anthropic = claude;
  void asAnthropic;

  const genai = new EcoAI({ client: new GoogleGenAI({ apiKey: "types" }) });
  withGenAI(genai);
  const asGenAI: GoogleGenAI = genai;
  void asGenAI;

  const model = new EcoAI({ client: new GoogleGenerativeAI("types").getGenerativeModel({ model: "gemini-1.5-flash" }) });
  withModel(model);
  const asModel: GenerativeModel = model;
  void asModel;

  const azure = new EcoAI({ client: new AzureOpenAI({ apiKey: "k", endpoint: "https://x.openai.azure.com", apiVersion: "2024-10-21", deployment: "gpt-4o" }) });
  const asAzure: AzureOpenAI = azure;
  withOpenAI(azure);
  void asAzure;

  // @ts-expect-error an OpenAI wrapper is not an Anthropic client
  withAnthropic(openai);
  // @ts-expect-error a GenerativeModel wrapper is not a GoogleGenAI client
  withGenAI(model);
}

export async function withOptionsKeepsTheWrapper(): Promise<void> {
  const eco = new EcoAI({ client: new OpenAI({ apiKey: "sk-types" }) });
  const quick = eco.withOptions({ timeout: 1000, maxRetries: 0 });
  const wrapped: EcoAI<OpenAI> = quick;
  void wrapped;
  withOpenAI(quick);
  // The copy is cached like the original: per-call options and the management methods are there.
  await quick.chat.completions.create({ model: "gpt-4o", messages: [] }, { ecoai: { ttl: 60 } });
  const removed: number = await quick.flush({ model: "gpt-4o" });
  void removed;
  void (await quick.summary()).hitRate;

  const claude = new EcoAI({ client: new Anthropic({ apiKey: "sk-types" }) }).withOptions({ timeout: 1000 });
  await claude.messages.create({ model: "claude-haiku-4-5", max_tokens: 8, messages: [] }, { ecoai: { bypass: true } });
  void (await claude.history({ limit: 1 }));

  // @ts-expect-error the Gemini SDKs have no withOptions
  void new EcoAI({ client: new GoogleGenAI({ apiKey: "types" }) }).withOptions;
}

export function unsupportedShapes(): void {
  // @ts-expect-error an object of no supported shape
  new EcoAI({ client: { foo: 1 } });
  // @ts-expect-error a chat namespace alone is not an OpenAI client
  new EcoAI({ client: { chat: {} } });
  // @ts-expect-error a string is not a client
  new EcoAI({ client: "openai" });
  // @ts-expect-error the Google client factory, not a model or a GoogleGenAI
  new EcoAI({ client: new GoogleGenerativeAI("types") });
  // @ts-expect-error a client is required
  new EcoAI({ mode: "dev" });

  // Generic helpers can constrain on the same shapes.
  const wrap = <C extends SupportedClient>(client: C) => new EcoAI({ client });
  const wrapped: OpenAI = wrap(new OpenAI({ apiKey: "sk-types" }));
  void wrapped;
}

export async function managementArguments(eco: EcoAI<OpenAI>): Promise<void> {
  // @ts-expect-error a misspelt filter field
  await eco.flush({ patern: "*refund*" });
  // @ts-expect-error a pattern alone is not a filter
  await eco.flush("*refund*");
  // @ts-expect-error a misspelt history field
  await eco.history({ limt: 2 });
  // @ts-expect-error summary() takes no filter
  await eco.summary({ model: "gpt-4o" });
}
