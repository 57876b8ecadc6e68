import Anthropic from "@anthropic-ai/sdk";
import { TEST_API_KEY, useUpstream } from "../harness.ts";

/**
 * {@link useUpstream} plus a factory for a real Anthropic client pointed at the simulator.
 */
export function useProviders() {
  const up = useUpstream();
  return {
    up,
    wrap: up.wrap,
    anthropic(options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}): Anthropic {
      return new Anthropic({ baseURL: up.sim.anthropicBaseURL, apiKey: TEST_API_KEY, maxRetries: 0, ...options });
    },
  };
}
