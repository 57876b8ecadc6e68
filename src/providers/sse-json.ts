import type { StreamEvent } from "./adapter.ts";
import { isRecord } from "./text.ts";

/** An event's data as a JSON object; undefined for a sentinel (`[DONE]`) or anything else. */
export function eventJson(event: StreamEvent): Record<string, unknown> | undefined {
  if (!event.data.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(event.data);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** An event whose data is `value` as JSON, named when `event` is given. */
export function jsonEvent(value: unknown, event?: string): StreamEvent {
  return event === undefined ? { data: JSON.stringify(value) } : { event, data: JSON.stringify(value) };
}

/**
 * Whether a caller turned off the random `obfuscation` padding of OpenAI stream events
 * (`stream_options.include_obfuscation: false`): a recording made with it is replayed without it.
 */
export function refusesObfuscation(params: Record<string, unknown>): boolean {
  return isRecord(params.stream_options) && params.stream_options.include_obfuscation === false;
}

/** The event without the `obfuscation` padding its data may carry. */
export function withoutObfuscation(event: StreamEvent): StreamEvent {
  if (!event.data.includes('"obfuscation"')) return event;
  const data = eventJson(event);
  if (!data || !("obfuscation" in data)) return event;
  const { obfuscation: _padding, ...rest } = data;
  return { ...event, data: JSON.stringify(rest) };
}
