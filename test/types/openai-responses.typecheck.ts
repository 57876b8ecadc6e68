/**
 * Compiled by `tsc --noEmit` in `npm test`, never run: OpenAI responses and images through
 * EcoAI keep the SDK's own signatures, stream overloads included.
 */
import OpenAI, { toFile } from "openai";
import type { Stream } from "openai/core/streaming";
import type { ImagesResponse } from "openai/resources/images";
import type { Response, ResponseStreamEvent } from "openai/resources/responses/responses";
import { EcoAI } from "../../src/index.ts";

export async function responsesTypeChecks(): Promise<void> {
  const eco = new EcoAI({ client: new OpenAI({ apiKey: "sk-types" }) });

  const response: Response = await eco.responses.create({ model: "gpt-4.1", input: "hi" }, { ecoai: { refresh: true }, timeout: 5000 });
  const text: string = response.output_text;
  void text;

  const stream: Stream<ResponseStreamEvent> = await eco.responses.create({ model: "gpt-4.1", input: "hi", stream: true });
  for await (const event of stream) if (event.type === "response.output_text.delta") void event.delta;
  const helper = eco.responses.stream({ model: "gpt-4.1", input: "hi" }, { ecoai: { replay: "recorded" } });
  const final: Response = await helper.finalResponse();
  void final;

  // @ts-expect-error a non-stream response has no async iterator
  for await (const event of await eco.responses.create({ model: "gpt-4.1", input: "hi" })) void event;
  // @ts-expect-error unknown per-call option
  await eco.responses.create({ model: "gpt-4.1", input: "hi" }, { ecoai: { ttl: "1h" } });
  // @ts-expect-error input must be a string or input items
  await eco.responses.create({ model: "gpt-4.1", input: 42 });
  // @ts-expect-error a streaming response has no output_text
  void (await eco.responses.create({ model: "gpt-4.1", input: "hi", stream: true })).output_text;
}

export async function imagesTypeChecks(): Promise<void> {
  const eco = new EcoAI({ client: new OpenAI({ apiKey: "sk-types" }) });

  const generated: ImagesResponse = await eco.images.generate({ model: "dall-e-3", prompt: "a fox", response_format: "b64_json" }, { ecoai: { bypass: false } });
  void generated.data?.[0]?.b64_json;
  const partials = await eco.images.generate({ model: "gpt-image-1", prompt: "a fox", stream: true });
  for await (const event of partials) void event.type;

  const image = await toFile(Buffer.from("png"), "a.png");
  const edited: ImagesResponse = await eco.images.edit({ model: "gpt-image-1", prompt: "a hat", image, mask: image }, { ecoai: { namespace: "t" } });
  void edited;
  const edits = await eco.images.edit({ model: "gpt-image-1", prompt: "a hat", image: [image], stream: true });
  for await (const event of edits) void event.type;

  // @ts-expect-error prompt is required
  await eco.images.generate({ model: "dall-e-3" });
  // @ts-expect-error response_format is "url" or "b64_json"
  await eco.images.generate({ model: "dall-e-3", prompt: "a fox", response_format: "png" });
  // @ts-expect-error an edit needs an image
  await eco.images.edit({ model: "gpt-image-1", prompt: "a hat" });
  // @ts-expect-error unknown per-call option
  await eco.images.edit({ model: "gpt-image-1", prompt: "a hat", image }, { ecoai: { cache: true } });
}
