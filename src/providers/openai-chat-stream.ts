/**
 * Streamed chat completions (`stream: true`, `chat.completions.stream()`): `chat.completion.chunk`
 * events ending in `data: [DONE]`, assembled into the completion a plain call gets as the SDK's
 * `ChatCompletionStream` assembles it, and synthesised back from a stored completion.
 *
 * @module
 */
import type { StreamedMethod, StreamEvent } from "./adapter.ts";
import { openaiTokenUsage } from "./openai-usage.ts";
import { eventJson, jsonEvent, refusesObfuscation, withoutObfuscation } from "./sse-json.ts";
import { isRecord } from "./text.ts";

const DONE = "[DONE]";

/** Whether the caller asked for the usage chunk (`stream_options.include_usage`). */
function wantsUsage(params: Record<string, unknown>): boolean {
  return isRecord(params.stream_options) && params.stream_options.include_usage === true;
}

interface ChoiceSnapshot {
  index: number;
  message: Record<string, unknown> & { tool_calls?: Record<string, unknown>[] };
  logprobs: { content: unknown[] | null; refusal: unknown[] | null } | null;
  finish_reason: unknown;
}

/** The completion that chunks add up to, by the rules of the SDK's `ChatCompletionStream`. */
function assembleChunks(chunks: readonly Record<string, unknown>[]): Record<string, unknown> | undefined {
  const first = chunks.find((chunk) => Array.isArray(chunk.choices));
  if (!first) return undefined;
  const choices = new Map<number, ChoiceSnapshot>();
  let usage: unknown;
  for (const chunk of chunks) {
    if (isRecord(chunk.usage)) usage = chunk.usage;
    if (!Array.isArray(chunk.choices)) continue;
    for (const choice of chunk.choices as Record<string, unknown>[]) {
      const index = Number(choice.index ?? 0);
      let snapshot = choices.get(index);
      if (!snapshot) choices.set(index, (snapshot = { index, message: {}, logprobs: null, finish_reason: null }));
      if (choice.finish_reason != null) snapshot.finish_reason = choice.finish_reason;
      if (isRecord(choice.logprobs)) {
        const logprobs = (snapshot.logprobs ??= { content: null, refusal: null });
        for (const part of ["content", "refusal"] as const) {
          const more = choice.logprobs[part];
          if (Array.isArray(more)) logprobs[part] = [...(logprobs[part] ?? []), ...more];
        }
      }
      if (isRecord(choice.delta)) mergeDelta(snapshot.message, choice.delta);
    }
  }
  const { id, created, model, service_tier, system_fingerprint } = first;
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [...choices.values()]
      .sort((a, b) => a.index - b.index)
      .map(({ index, message, logprobs, finish_reason }) => ({
        index,
        message: { role: "assistant", content: null, refusal: null, ...message },
        logprobs,
        finish_reason,
      })),
    ...(usage === undefined ? {} : { usage }),
    ...(service_tier === undefined ? {} : { service_tier }),
    ...(system_fingerprint === undefined ? {} : { system_fingerprint }),
  };
}

/** Text fields concatenate; tool calls merge by index, their arguments concatenating. */
function mergeDelta(message: ChoiceSnapshot["message"], delta: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(delta)) {
    if (value === null || value === undefined) {
      if (!(field in message)) message[field] = value ?? null;
      continue;
    }
    if (field === "tool_calls" && Array.isArray(value)) {
      const calls = (message.tool_calls ??= []);
      for (const call of value as Record<string, unknown>[]) {
        const index = Number(call.index ?? 0);
        const { index: _index, function: fn, ...rest } = call;
        const known = calls[index] ?? (calls[index] = { function: { name: "", arguments: "" } });
        Object.assign(known, rest);
        if (isRecord(fn)) {
          const target = known.function as Record<string, unknown>;
          if (typeof fn.name === "string" && fn.name) target.name = fn.name;
          if (typeof fn.arguments === "string") target.arguments = String(target.arguments ?? "") + fn.arguments;
        }
      }
    } else if (field === "function_call" && isRecord(value)) {
      const target = (message.function_call ??= { name: "", arguments: "" }) as Record<string, unknown>;
      if (typeof value.name === "string" && value.name) target.name = value.name;
      if (typeof value.arguments === "string") target.arguments = String(target.arguments ?? "") + value.arguments;
    } else if (typeof value === "string" && (field === "content" || field === "refusal")) {
      message[field] = (typeof message[field] === "string" ? message[field] : "") + value;
    } else {
      message[field] = value;
    }
  }
}

/** The chunks of a stream answering with `completion`: per choice its role, content or refusal, tool calls and finish; then usage and `[DONE]`. */
function synthesiseChunks(completion: Record<string, unknown>): StreamEvent[] {
  const { id, created, model, service_tier, system_fingerprint } = completion;
  const envelope = { id, object: "chat.completion.chunk", created, model, ...(service_tier === undefined ? {} : { service_tier }), ...(system_fingerprint === undefined ? {} : { system_fingerprint }) };
  const chunk = (choices: unknown[], usage: unknown = null) => jsonEvent({ ...envelope, choices, usage });
  const events: StreamEvent[] = [];
  for (const choice of (completion.choices as Record<string, unknown>[]) ?? []) {
    const index = choice.index ?? 0;
    const message = isRecord(choice.message) ? choice.message : {};
    const { role = "assistant", content = null, refusal = null, tool_calls, ...rest } = message;
    const logprobs = isRecord(choice.logprobs) ? choice.logprobs : null;
    const entry = (delta: Record<string, unknown>, withLogprobs: unknown = null) => ({ index, delta, logprobs: withLogprobs, finish_reason: null });
    events.push(chunk([entry({ role, content: typeof content === "string" ? "" : null, refusal: null, ...rest })]));
    if (typeof content === "string" && content !== "") events.push(chunk([entry({ content }, logprobs && { content: logprobs.content ?? null, refusal: null })]));
    if (typeof refusal === "string") events.push(chunk([entry({ refusal }, logprobs && { content: null, refusal: logprobs.refusal ?? null })]));
    if (Array.isArray(tool_calls)) {
      const deltas = (tool_calls as Record<string, unknown>[]).map((call, callIndex) => ({ index: callIndex, ...call }));
      events.push(chunk([entry({ tool_calls: deltas })]));
    }
    events.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: choice.finish_reason ?? "stop" }]));
  }
  if (completion.usage !== undefined) events.push(chunk([], completion.usage));
  events.push({ data: DONE });
  return events;
}

/** Events with JSON data, `[DONE]` and the like left out. */
function chunksOf(events: readonly StreamEvent[]): Record<string, unknown>[] {
  return events.flatMap((event) => {
    const chunk = eventJson(event);
    return chunk ? [chunk] : [];
  });
}

/**
 * Chat completion streams. ecoai always asks for the usage chunk (so a stream is never logged as
 * 0 tokens) and hides it, with the `usage: null` it adds to every chunk, from a caller who did
 * not ask for it.
 */
export const chatCompletionStream: StreamedMethod = {
  streams: (params) => params.stream === true,
  upstreamParams(params) {
    if (wantsUsage(params)) return params;
    const options = isRecord(params.stream_options) ? params.stream_options : {};
    return { ...params, stream_options: { ...options, include_usage: true } };
  },
  shown(recorded, params) {
    const event = refusesObfuscation(params) ? withoutObfuscation(recorded) : recorded;
    if (wantsUsage(params) || !event.data.includes('"usage"')) return event;
    const chunk = eventJson(event);
    if (!chunk || !("usage" in chunk)) return event;
    if (Array.isArray(chunk.choices) && chunk.choices.length === 0) return undefined;
    const { usage: _usage, ...rest } = chunk;
    return { ...event, data: JSON.stringify(rest) };
  },
  isComplete(events) {
    if (events.at(-1)?.data.trim() !== DONE) return false;
    return !events.some((event) => event.data.includes('"error"') && isRecord(eventJson(event)?.error));
  },
  assemble: (events) => assembleChunks(chunksOf(events)),
  synthesise: (response) => (isRecord(response) ? synthesiseChunks(response) : []),
  usage(events) {
    const last = chunksOf(events).findLast((chunk) => isRecord(chunk.usage));
    return openaiTokenUsage(last ?? {}, "prompt");
  },
};
