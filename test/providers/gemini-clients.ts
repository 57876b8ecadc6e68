import { TEST_API_KEY, useUpstream } from "../harness.ts";

export const GENERATE_ROUTE = "gemini.generateContent";
export const STREAM_ROUTE = "gemini.streamGenerateContent";
export { TEST_API_KEY };

/** `useUpstream()` under the name the Gemini tests use. */
export function useGeminiUpstream() {
  const up = useUpstream();
  return { up, wrap: up.wrap };
}
