/**
 * Compiled by `tsc --noEmit` in `npm test`, never run: a correct call through EcoAI type-checks
 * with the SDK's own types, and a wrong one does not.
 */
import OpenAI from "openai";
import type { ChatCompletionStream } from "openai/lib/ChatCompletionStream";
import type { ChatCompletion } from "openai/resources/chat/completions";
import { EcoAI } from "../../src/index.ts";

export async function typeChecks(): Promise<void> {
  const eco = new EcoAI({ client: new OpenAI({ apiKey: "sk-types" }) });

  const completion = await eco.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }, { ecoai: { ttl: 60 }, timeout: 5000 });
  const content: string | null | undefined = completion.choices[0]?.message.content;
  void content;

  const stream = await eco.chat.completions.create({ model: "gpt-4o", messages: [], stream: true });
  for await (const chunk of stream) void chunk.choices[0]?.delta.content;
  // The helper keeps the SDK's type parameters, and takes the per-call options too.
  const helper: ChatCompletionStream<null> = eco.chat.completions.stream({ model: "gpt-4o", messages: [] });
  void helper;
  const final: ChatCompletion = await eco.chat.completions.stream({ model: "gpt-4o", messages: [] }, { ecoai: { replay: "recorded" } }).finalChatCompletion();
  void final;

  // @ts-expect-error unknown per-call option
  await eco.chat.completions.create({ model: "gpt-4o", messages: [] }, { ecoai: { nope: true } });
  // @ts-expect-error messages is required, as in the SDK
  await eco.chat.completions.create({ model: "gpt-4o" });
  // @ts-expect-error a non-stream call has no async iterator
  for await (const chunk of await eco.chat.completions.create({ model: "gpt-4o", messages: [] })) void chunk;

  const models = await eco.models.list();
  void models;
  const baseURL: string = eco.baseURL;
  void baseURL;
  const removed: number = await eco.flush({ pattern: "*refund*" });
  void removed;
}
