/**
 * Builds and packs ecoai the way `npm publish` would, once per test run (bun runs every test
 * file in one process, so the files that need dist/ or the tarball share one build), and makes
 * throwaway apps that install the tarball with npm.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");

/** The `node` on PATH (the test never runs its scripts under Bun's node alias). */
export const NODE = Bun.which("node") ?? "node";
export const BUN = process.execPath;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output. */
export async function run(command: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<RunResult> {
  const child = Bun.spawn(command, { cwd: options.cwd, env: childEnv(options.env), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** Like {@link run}, but throws with the command's output when it fails. */
export async function runOk(command: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<RunResult> {
  const result = await run(command, options);
  if (result.code !== 0) throw new Error(`${command.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * Removes `path` once the test process has ended, however it ends. `bun test` runs no `exit`
 * handlers, and an app's node_modules can take longer to delete than a test hook may run, so a
 * detached shell waits for this process to be gone and deletes it then.
 */
export function removeWhenDone(path: string): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; rm -rf "$0"`;
  spawn("sh", ["-c", script, path], { detached: true, stdio: "ignore" }).unref();
}

/** A temporary folder removed when the test process has ended. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  removeWhenDone(dir);
  return dir;
}

let packing: Promise<string> | undefined;

/** `npm pack` (whose `prepack` runs `npm run build`), once; resolves to the tarball's path. */
export function packOnce(): Promise<string> {
  packing ??= (async () => {
    const destination = scratchDir("ecoai-pack-");
    const { stdout } = await runOk(["npm", "pack", "--json", "--pack-destination", destination], { cwd: ROOT });
    const [info] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string }[];
    return join(destination, info!.filename);
  })();
  return packing;
}

/** The version of a package installed in this repository, so a test app gets the same one. */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * Makes `dir` a fresh app (its own package.json) with `packages` installed by npm.
 * better-sqlite3 is installed without its build script and given the native binding already
 * built for this repository (same version, same Node): compiling SQLite takes minutes.
 * `sqliteBinding: false` leaves it without one, as an install whose build script never ran.
 */
export async function createApp(dir: string, packages: string[], options: { sqliteBinding?: boolean } = {}): Promise<void> {
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "app", private: true, type: "module" }, null, 2)}\n`);
  await runOk(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", ...packages], { cwd: dir });
  if ((options.sqliteBinding ?? true) && packages.some((spec) => spec.startsWith("better-sqlite3@"))) {
    const release = join("node_modules", "better-sqlite3", "build", "Release");
    mkdirSync(join(dir, release), { recursive: true });
    copyFileSync(join(ROOT, release, "better_sqlite3.node"), join(dir, release, "better_sqlite3.node"));
  }
}

/**
 * The environment without what npm and bun set for a running script: under `npm test`, a command
 * a test starts must not believe the outer `npm test` started it.
 */
export function withoutScriptEnv(env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  // Unset rather than left out: `run` and `startServer` lay their env over the test's own.
  const unset = Object.fromEntries(Object.keys(env).filter((name) => /^npm_/i.test(name) || name === "INIT_CWD").map((name) => [name, undefined]));
  // npm puts the package's node_modules/.bin (bun, tsc, …) first on PATH; a user's shell has none of it.
  const path = (env.PATH ?? "").split(":").filter((dir) => !/node_modules[\\/]\.bin$|node-gyp-bin$/.test(dir)).join(":");
  return { ...env, ...unset, PATH: path };
}

/** The environment a child gets: the test's own, `env` laid over it, unset names left out. */
function childEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...process.env, ...env }).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export interface RunningServer {
  /** The URL it printed, without a trailing slash. */
  url: string;
  /** Everything it printed on stdout so far. */
  printed(): string;
  /** Stops it and everything it started (npm, a shell, a re-run under Bun). */
  stop(): void;
}


/**
 * Runs a command line as a user types it (`npm run dashboard -- --db …`), in its own process
 * group, and resolves once it prints an http URL.
 */
export async function startServer(line: string, options: { cwd: string; env?: Record<string, string | undefined> }): Promise<RunningServer> {
  const child = spawn("sh", ["-c", `exec ${line}`], { cwd: options.cwd, env: childEnv(options.env), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const server: RunningServer = {
    url: "",
    printed: () => stdout,
    stop() {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // Already gone.
      }
    },
  };
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const found = /https?:\/\/[^\s]+/.exec(stdout)?.[0];
      if (found) resolve(found.replace(/\/$/, ""));
    };
    child.stdout.on("data", look);
    child.once("exit", (code) => reject(new Error(`"${line}" exited (${code}) without printing a URL:\n${stdout}\n${stderr}`)));
  });
  return Object.assign(server, { url });
}

/** The dashboard's `/api/summary` at `url`. */
export async function summaryAt(url: string): Promise<Record<string, number>> {
  const response = await fetch(`${url}/api/summary`);
  if (response.status !== 200) throw new Error(`GET ${url}/api/summary answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, number>;
}
