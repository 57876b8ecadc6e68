import OpenAI from "openai";
import { TEST_API_KEY } from "../harness.ts";
import type { Surface } from "./suite.ts";

/**
 * What every cached method of the `openai` SDK shares in the provider suite: its client on the
 * simulator, the request id it reads from each response, and its error classes.
 */
export const OPENAI_SDK = {
  provider: "openai",
  client: (sim, headers) => new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: TEST_API_KEY, maxRetries: 0, defaultHeaders: headers }),
  receivedOnly: ["_request_id"],
  errors: [
    { status: 429, type: OpenAI.RateLimitError },
    { status: 500, type: OpenAI.InternalServerError },
    { status: 400, type: OpenAI.BadRequestError },
  ],
} satisfies Partial<Surface<OpenAI>>;
