import { afterAll, beforeAll } from "bun:test";
import { join } from "node:path";
import OpenAI from "openai";
import { ENGINE } from "../src/eco-base.ts";
import { EcoAI, type EcoAIConfig } from "../src/index.ts";
import type { Logger } from "../src/types.ts";
import type { SupportedClient } from "../src/client-types.ts";
import { startSimulator, type Simulator } from "../src/simulator/index.ts";
import { tempDir } from "./temp.ts";

export const TEST_API_KEY = "sk-test-ecoai-secret-0123456789";

/** A logger that keeps what it is told, for asserting warnings. */
export function recordingLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (message) => void messages.push(message) };
}

/**
 * The cache, usage log and settings files called `name` in `dir`, with a logger that records:
 * instances given the same name share their files.
 */
export function filesNamed(dir: string, name: string) {
  return { sqlitePath: join(dir, `${name}-cache.db`), logPath: join(dir, `${name}-usage.db`), settingsPath: join(dir, `${name}-settings.json`), logger: recordingLogger() };
}

/**
 * One upstream simulator and temp folder per test file, and a factory for real OpenAI clients
 * pointed at the simulator, wrapped in EcoAI with files in the temp folder.
 */
export function useUpstream() {
  const context = {
    sim: undefined as unknown as Simulator,
    dir: tempDir(),
    openai(options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
      return new OpenAI({ baseURL: context.sim.openaiBaseURL, apiKey: TEST_API_KEY, maxRetries: 0, ...options });
    },
    /**
     * Any client wrapped in EcoAI with its own cache and usage files in the temp folder, closed
     * after the test file. Wrappers given the same `name` share their files.
     */
    wrap<C extends SupportedClient>(client: C, config: Partial<EcoAIConfig<C>> = {}, name = Math.random().toString(36).slice(2)): EcoAI<C> {
      const eco = new EcoAI<C>({ client, ...filesNamed(context.dir, name), ...config });
      opened.push(eco);
      return eco;
    },
    /** A wrapped OpenAI client pointed at the simulator, with its own files unless `config` says otherwise. */
    eco(config: Partial<EcoAIConfig<OpenAI>> = {}) {
      return context.wrap(context.openai(), config);
    },
  };
  const opened: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    context.sim = await startSimulator();
  });
  afterAll(async () => {
    await Promise.all(opened.map((eco) => eco.close()));
    await context.sim.close();
  });
  return context;
}

/** What `useUpstream()` gives a test file. */
export type Upstream = ReturnType<typeof useUpstream>;

export const CHAT_ROUTE = "openai.chat.completions";

export function ask(content: string, extra: Record<string, unknown> = {}) {
  return { model: "gpt-4o", messages: [{ role: "user" as const, content }], ...extra };
}

/** What a promise settled with, a rejection included, for asserting errors without try/catch. */
export function settle<T>(promise: PromiseLike<T>): Promise<{ value: T } | { error: unknown }> {
  return Promise.resolve(promise).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/**
 * Resolves once the answers `eco` has given so far are in its store: a miss's entry is written just
 * after its caller is answered, and a test that reads or changes the cache file itself waits for it.
 */
export async function entriesWritten(eco: object): Promise<void> {
  await (eco as { [ENGINE]: { writePending(): Promise<void> } })[ENGINE].writePending();
}
