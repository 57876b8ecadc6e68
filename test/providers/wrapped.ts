import { afterAll } from "bun:test";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { EcoAI, type EcoAIConfig } from "../../src/index.ts";
import { recordingLogger, TEST_API_KEY, useUpstream } from "../harness.ts";

/**
 * {@link useUpstream} plus factories for any client wrapped in EcoAI (own cache and usage files
 * in the test's temp folder, closed after the file) and for a real Anthropic client.
 */
export function useProviders() {
  const up = useUpstream();
  const opened: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((eco) => eco.close()));
  });
  return {
    up,
    wrap<C extends object>(client: C, config: Partial<EcoAIConfig<C>> = {}) {
      const name = Math.random().toString(36).slice(2);
      const eco = new EcoAI<C>({
        client,
        sqlitePath: join(up.dir, `${name}-cache.db`),
        logPath: join(up.dir, `${name}-usage.db`),
        settingsPath: join(up.dir, `${name}-settings.json`),
        logger: recordingLogger(),
        ...config,
      });
      opened.push(eco);
      return eco;
    },
    anthropic(options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}): Anthropic {
      return new Anthropic({ baseURL: up.sim.anthropicBaseURL, apiKey: TEST_API_KEY, maxRetries: 0, ...options });
    },
  };
}
