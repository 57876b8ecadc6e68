/**
 * Compiled by `tsc --noEmit` in `npm test`, never run: Anthropic messages through EcoAI keep the
 * SDK's own signatures, stream overload and `messages.stream()` included.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { Stream } from "@anthropic-ai/sdk/core/streaming";
import type { Message, RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import type { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import { EcoAI } from "../../src/index.ts";

export async function anthropicTypeChecks(): Promise<void> {
  const eco = new EcoAI({ client: new Anthropic({ apiKey: "sk-types" }) });
  const request = { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] };

  const message: Message = await eco.messages.create(request, { ecoai: { ttl: 60 }, timeout: 5000 });
  void message.content[0];
  void message.usage.cache_read_input_tokens;

  const stream: Stream<RawMessageStreamEvent> = await eco.messages.create({ ...request, stream: true });
  for await (const event of stream) void event.type;

  const helper = eco.messages.stream(request);
  const final: Message = await helper.finalMessage();
  void final;
  // Streams take the per-call options too.
  const replayed: MessageStream = eco.messages.stream(request, { ecoai: { replay: "recorded" }, timeout: 5000 });
  void replayed;
  await eco.messages.create({ ...request, stream: true }, { ecoai: { replay: "instant" } });
  // @ts-expect-error replay is "instant" or "recorded"
  eco.messages.stream(request, { ecoai: { replay: "slow" } });
  const tokens = await eco.messages.countTokens({ model: "claude-haiku-4-5", messages: request.messages });
  void tokens.input_tokens;

  // @ts-expect-error max_tokens is required, as in the SDK
  await eco.messages.create({ model: "claude-haiku-4-5", messages: request.messages });
  // @ts-expect-error a non-stream message has no async iterator
  for await (const event of await eco.messages.create(request)) void event;
  // @ts-expect-error unknown per-call option
  await eco.messages.create(request, { ecoai: { nope: 1 } });
  // @ts-expect-error the Anthropic client has no chat completions
  void eco.chat;
  const removed: number = await eco.flush({ model: "claude-haiku-4-5" });
  void removed;
}
