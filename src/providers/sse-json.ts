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
