/**
 * `bunx ecoai …` honours the command's `#!/usr/bin/env node` line, so on a machine that also has
 * Node it starts under Node, where SQLite may have no driver at all (Node 20 without
 * better-sqlite3). A user who typed `bunx` has Bun and meant it: the command runs itself again
 * under the Bun that bunx is.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { basename } from "node:path";

type Env = Record<string, string | undefined>;

/** Whether a path names a Bun binary (`bun`, or `bun.exe` as the npm package installs it). */
export function isBun(path: string | undefined): path is string {
  return path !== undefined && /^bunx?(\.exe)?$/.test(basename(path));
}

/** The Bun binary that launched this Node process through `bunx`, if it did (bunx names itself in npm's variables). */
export function launchingBun(env: Env = process.env): string | undefined {
  if (process.versions.bun || env.npm_lifecycle_event !== "bunx") return undefined;
  const bun = env.npm_execpath;
  return isBun(bun) && existsSync(bun) ? bun : undefined;
}

/**
 * Runs this same command under `bun` with the same arguments, the terminal shared, and resolves
 * to its exit code. Signals sent to this process (a `kill`, a supervisor stopping it) reach it.
 */
export function rerunUnder(bun: string, argv: readonly string[] = process.argv): Promise<number> {
  const child = spawn(bun, argv.slice(1), { stdio: "inherit" });
  const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      for (const [name, handler] of handlers) process.off(name, handler);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 1));
    });
  });
}
