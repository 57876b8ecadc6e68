import { isRecord } from "./text.ts";

/** Whether `text` parses as JSON: structured output that does not is not an answer. */
export function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Restores the non-enumerable, read-only ids the SDKs attach to a live response (`_request_id`,
 * and for Anthropic `_workspace_id`); a replayed response was never received, so they are null.
 */
export function withResponseIds(stored: unknown, names: readonly string[] = ["_request_id"]): unknown {
  if (isRecord(stored)) {
    for (const name of names) Object.defineProperty(stored, name, { value: null, enumerable: false, writable: false, configurable: false });
  }
  return stored;
}
