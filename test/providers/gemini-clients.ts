import { afterAll } from "bun:test";
import { join } from "node:path";
import { EcoAI, type EcoAIConfig } from "../../src/index.ts";
import { recordingLogger, TEST_API_KEY, useUpstream } from "../harness.ts";

export const GENERATE_ROUTE = "gemini.generateContent";
export const STREAM_ROUTE = "gemini.streamGenerateContent";
export { TEST_API_KEY };

/** `useUpstream()` plus a factory that wraps any client with its own cache and usage files. */
export function useGeminiUpstream() {
  const up = useUpstream();
  const opened: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((eco) => eco.close()));
  });
  return {
    up,
    /** Files named by `name` are shared by every wrapper given the same name. */
    wrap<C extends object>(client: C, config: Partial<EcoAIConfig<C>> = {}, name = Math.random().toString(36).slice(2)): EcoAI<C> {
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
  };
}
