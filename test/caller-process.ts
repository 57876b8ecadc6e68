/**
 * An application in a child process making calls through EcoAI (`fixtures/caller.mjs`), under Bun
 * on the sources or under Node on the built package, for tests that signal, stop or damage it.
 *
 * @module
 */
import type { Subprocess } from "bun";
import { join } from "node:path";
import { BUN, NODE, packOnce, ROOT } from "./package/pack.ts";

export type Runtime = "bun" | "node";

export interface CallerOptions {
  /** Different prompts the loop cycles through. @default 5 */
  distinct?: number;
  /** Characters added to every prompt. @default 0 */
  pad?: number;
  /** The app installs its own SIGTERM and SIGINT handlers. @default false */
  handle?: boolean;
}

export interface CallerProcess {
  /** Resolves once the app has finished `count` calls in all. */
  calls(count: number): Promise<void>;
  /** Calls finished so far (each printed once it returned). */
  readonly finished: number;
  /** Lines the app printed. */
  readonly lines: string[];
  /** Pauses the app's loop after the call in progress; resolves once it has paused. Everything stays open. */
  hold(): Promise<void>;
  /** Resumes a loop paused by {@link hold}. */
  go(): void;
  /** Asks the app to finish its loop, close and exit. */
  stop(): void;
  kill(signal: NodeJS.Signals): void;
  /** How it ended, and what it wrote to stderr. */
  exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

const FIXTURE = join(import.meta.dir, "fixtures", "caller.mjs");

/** The module the runtime imports ecoai from: the sources under Bun, the build (made once) under Node. */
async function entry(runtime: Runtime): Promise<string> {
  if (runtime === "bun") return join(ROOT, "src", "index.ts");
  await packOnce();
  return join(ROOT, "dist", "src", "index.js");
}

export interface LaunchOptions {
  /** Variables added to the environment. */
  env?: Record<string, string>;
  /** A command the app runs under (`setpriv …` to run as another user). */
  via?: string[];
}

/** Starts the app; it runs until stopped, signalled or killed. */
export async function startCaller(
  runtime: Runtime,
  files: { baseURL: string; sqlitePath: string; logPath: string },
  options: CallerOptions = {},
  { env = {}, via = [] }: LaunchOptions = {},
): Promise<CallerProcess> {
  const command = [...via, runtime === "bun" ? BUN : NODE, FIXTURE, await entry(runtime), files.baseURL, files.sqlitePath, files.logPath, JSON.stringify(options)];
  const child: Subprocess<"pipe", "pipe", "pipe"> = Bun.spawn(command, { stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const lines: string[] = [];
  let finished = 0;
  const waiting = new Set<{ count: number; resolve: () => void }>();
  let onHeld: (() => void) | undefined;
  const reading = (async () => {
    let rest = "";
    const decoder = new TextDecoder();
    const reader = child.stdout.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += decoder.decode(chunk.value, { stream: true });
      const parts = rest.split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.startsWith("ok ")) finished = Number(line.slice(3));
        if (line.startsWith("held ")) onHeld?.();
        for (const waiter of waiting) if (finished >= waiter.count) (waiting.delete(waiter), waiter.resolve());
      }
    }
  })();
  const exited = (async () => {
    const [stderr] = await Promise.all([new Response(child.stderr).text(), child.exited, reading]);
    return { code: child.exitCode, signal: child.signalCode === null ? null : String(child.signalCode), stderr };
  })();
  return {
    calls(count) {
      if (finished >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiting.add({ count, resolve });
        exited.then((result) => reject(new Error(`the app ended after ${finished} calls (${result.code ?? result.signal}): ${result.stderr}`)));
      });
    },
    get finished() {
      return finished;
    },
    lines,
    hold() {
      const held = new Promise<void>((resolve, reject) => {
        onHeld = resolve;
        exited.then((result) => reject(new Error(`the app ended after ${finished} calls (${result.code ?? result.signal}): ${result.stderr}`)));
      });
      child.stdin.write("hold\n");
      child.stdin.flush();
      return held;
    },
    go() {
      child.stdin.write("go\n");
      child.stdin.flush();
    },
    stop() {
      child.stdin.write("stop\n");
      child.stdin.flush();
    },
    kill(signal) {
      child.kill(signal);
    },
    exited,
  };
}
