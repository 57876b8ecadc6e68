/**
 * The Anthropic provider of the simulator, mounted at `/anthropic` (the SDK's `baseURL` is
 * `<simulator url>/anthropic`; it calls `/v1/messages` below it): route table, `x-api-key`
 * check and the `{ type: "error", error: { type, message } }` error body.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { handleMessages } from "./anthropic-messages.ts";
import type { ErrorDetails, JsonResponse, ProviderMount, SimRequest } from "./types.ts";

/** Headers the real API sends on every answer; the SDK exposes `request-id` as `_request_id`. */
export function anthropicHeaders(): Record<string, string> {
  return { "request-id": `req_${randomBytes(12).toString("hex")}`, "anthropic-organization-id": "sim-org" };
}

/** A successful JSON answer with the Anthropic headers. */
export function anthropicJson(json: unknown, status = 200): JsonResponse {
  return { status, headers: anthropicHeaders(), json };
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const DEFAULT_MESSAGES: Record<number, string> = {
  401: "invalid x-api-key",
  404: "Not found",
  429: "Number of request tokens has exceeded your per-minute rate limit.",
  500: "Internal server error",
  529: "Overloaded",
};

/** An Anthropic error answer. */
export function anthropicError(status: number, message?: string, details: ErrorDetails = {}): JsonResponse {
  const type = details.type ?? ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  const response = anthropicJson({ type: "error", error: { type, message: message ?? DEFAULT_MESSAGES[status] ?? `Simulated error ${status}.` } }, status);
  response.json = { ...(response.json as object), request_id: response.headers!["request-id"] };
  return response;
}

export const anthropicMount: ProviderMount = {
  name: "anthropic",
  basePath: "/anthropic",
  routes: [{ method: "POST", pattern: /^\/v1\/messages$/, name: "anthropic.messages", handle: handleMessages }],
  error: anthropicError,
  authenticate(request: SimRequest): JsonResponse | undefined {
    if (request.headers["x-api-key"] || /^Bearer\s+\S+/i.test(request.headers.authorization ?? "")) return undefined;
    return anthropicError(401, "x-api-key header is required");
  },
};
