/**
 * Compiled by `tsc --noEmit` in `npm test`, never run: a cached call of a Stainless SDK keeps
 * `withResponse()` and `asResponse()`, typed with the call's own data; SDKs without them get none.
 */
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import type { Stream } from "openai/core/streaming";
import type { Message } from "@anthropic-ai/sdk/resources/messages";
import { EcoAI, type DataWithResponse, type EcoAPIPromise } from "../../src/index.ts";

export async function apiPromiseTypeChecks(): Promise<void> {
  const openai = new EcoAI({ client: new OpenAI({ apiKey: "sk-types" }) });
  const chat = { model: "gpt-4o", messages: [{ role: "user" as const, content: "hi" }] };

  const pending: EcoAPIPromise<ChatCompletion> = openai.chat.completions.create(chat, { ecoai: { ttl: 60 } });
  const { data, response, request_id } = await pending.withResponse();
  const completion: ChatCompletion = data;
  const status: number = response.status;
  const id: string | null = request_id;
  void [completion, status, id];
  const raw: Response = await openai.chat.completions.create(chat).asResponse();
  void raw;
  const withData: DataWithResponse<ChatCompletion> = await openai.chat.completions.create(chat).withResponse();
  void withData;

  const streamed = await openai.chat.completions.create({ ...chat, stream: true }).withResponse();
  const stream: Stream<ChatCompletionChunk> = streamed.data;
  for await (const chunk of stream) void chunk.choices[0]?.delta.content;

  const answer: OpenAIResponse = (await openai.responses.create({ model: "gpt-4o", input: "hi" }).withResponse()).data;
  void answer;
  const image = await openai.images.generate({ model: "gpt-image-1", prompt: "a cat" }).withResponse();
  void image.data.data;

  // @ts-expect-error the data of a non-stream call is a completion, not a stream
  const notStream: Stream<ChatCompletionChunk> = (await openai.chat.completions.create(chat).withResponse()).data;
  void notStream;
  // @ts-expect-error the request id may be null (a cache hit)
  const alwaysId: string = (await openai.chat.completions.create(chat).withResponse()).request_id;
  void alwaysId;
  // @ts-expect-error asResponse() resolves to the Response, not the data
  const notData: ChatCompletion = await openai.chat.completions.create(chat).asResponse();
  void notData;

  const claude = new EcoAI({ client: new Anthropic({ apiKey: "sk-types" }) });
  const message = await claude.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: chat.messages }).withResponse();
  const content: Message["content"] = message.data.content;
  void content;
  // @ts-expect-error a message's data has no choices
  void message.data.choices;

  const gemini = new EcoAI({ client: new GoogleGenAI({ apiKey: "k" }) });
  const generated = gemini.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" });
  void (await generated).text;
  // @ts-expect-error @google/genai's calls return plain promises: no withResponse()
  void generated.withResponse();
}
