import { TEST_API_KEY, useUpstream } from "../harness.ts";

export const GENERATE_ROUTE = "gemini.generateContent";
export const STREAM_ROUTE = "gemini.streamGenerateContent";
export { TEST_API_KEY };

/** `useUpstream()` under the name the Gemini tests use, with a counter of upstream requests. */
export function useGeminiUpstream() {
  const up = useUpstream();
  /** Upstream requests to `route` made while `run` runs. */
  async function upstreamCalls(run: () => Promise<unknown>, route = GENERATE_ROUTE): Promise<number> {
    const before = up.sim.count(route);
    await run();
    return up.sim.count(route) - before;
  }
  return { up, wrap: up.wrap, upstreamCalls };
}
