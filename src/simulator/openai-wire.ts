/**
 * Pieces of the OpenAI wire format shared by every OpenAI route: response headers and the
 * `{ error: { message, type, param, code } }` error body.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import type { ErrorDetails, JsonResponse } from "./types.ts";

/** Headers the real API sends on every answer; the SDK exposes `x-request-id` as `_request_id`. */
export function openaiHeaders(): Record<string, string> {
  return {
    "x-request-id": `req_${randomBytes(16).toString("hex")}`,
    "openai-version": "2020-10-01",
    "openai-organization": "sim-org",
    "openai-processing-ms": "1",
  };
}

/** A successful JSON answer with the OpenAI headers. */
export function openaiJson(json: unknown, status = 200): JsonResponse {
  return { status, headers: openaiHeaders(), json };
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: "Invalid request.",
  401: "Incorrect API key provided: sk-sim. You can find your API key at https://platform.openai.com/account/api-keys.",
  403: "Country, region, or territory not supported",
  404: "The requested resource was not found.",
  408: "Request timed out.",
  409: "Conflict.",
  422: "Unprocessable entity.",
  429: "Rate limit reached for requests. Please try again in 0s.",
  500: "The server had an error while processing your request. Sorry about that!",
  502: "Bad gateway.",
  503: "The engine is currently overloaded, please try again later.",
  504: "Gateway timeout.",
};

/** The message the real API would most likely send with `status`. */
export function defaultErrorMessage(status: number): string {
  return DEFAULT_MESSAGES[status] ?? `Simulated error ${status}.`;
}

function errorType(status: number): string {
  if (status === 403) return "request_forbidden";
  if (status === 429) return "requests";
  return status >= 500 ? "server_error" : "invalid_request_error";
}

function errorCode(status: number): string | null {
  if (status === 401) return "invalid_api_key";
  if (status === 403) return "unsupported_country_region_territory";
  if (status === 429) return "rate_limit_exceeded";
  return null;
}

/**
 * An OpenAI error answer.
 *
 * @example
 * ```ts
 * openaiError(400, "Missing required parameter: 'messages'.", { param: "messages", code: "missing_required_parameter" });
 * ```
 */
export function openaiError(status: number, message = defaultErrorMessage(status), details: ErrorDetails = {}): JsonResponse {
  return openaiJson(
    {
      error: {
        message,
        type: details.type ?? errorType(status),
        param: details.param ?? null,
        code: details.code === undefined ? errorCode(status) : details.code,
      },
    },
    status,
  );
}

/** Real message of a body that is not JSON. */
export const INVALID_JSON_MESSAGE =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

/** The body as an object, or `undefined` when it is not one. */
export function asObject(body: unknown): Record<string, unknown> | undefined {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** A 400 for a missing required parameter, worded like the real API. */
export function missingParameter(name: string): JsonResponse {
  if (name === "model") return openaiError(400, "you must provide a model parameter");
  return openaiError(400, `Missing required parameter: '${name}'.`, { param: name, code: "missing_required_parameter" });
}
