/**
 * Fresh apps with the packed tarball installed by npm, made once per test run and shared by the
 * test files that use the installed package, with the environment and commands a user has there.
 *
 * @module
 */
import { copyFileSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { BUN, NODE, createApp, installedVersion, packOnce, run, scratchDir, withoutScriptEnv } from "./pack.ts";

/** Packing builds the package and the installs reach the npm registry (or its cache). */
export const SETUP_TIMEOUT_MS = 240_000;
export const STEP_TIMEOUT_MS = 60_000;

export const nodeVersion = (await run([NODE, "--version"], { cwd: dirname(BUN) })).stdout.trim();
/** Whether this machine's Node has a SQLite driver of its own (22.13 and later). */
export const nodeHasSqlite = (await run([NODE, "-e", "require('node:sqlite')"], { cwd: dirname(BUN) })).code === 0;

/** `bun` and `bunx` on PATH, as a Bun user has them (the npm package installs them as bun.exe and bunx.exe). */
const bunBin = scratchDir("ecoai-bun-bin-");
symlinkSync(BUN, join(bunBin, "bun"));
symlinkSync(join(dirname(BUN), "bunx.exe"), join(bunBin, "bunx"));
const shell = withoutScriptEnv();

/** The environment a user's shell gives a command: no npm script variables of the test run; for Bun, bun on PATH. */
export const USER_ENV: Record<"node" | "bun", Record<string, string | undefined>> = { node: shell, bun: { ...shell, PATH: `${bunBin}:${shell.PATH}` } };

export const RUNTIMES = {
  node: {
    label: `Node ${nodeVersion}`,
    script: (file: string) => [NODE, file],
    runner: "npx",
    ecoai: (...args: string[]) => ["npx", "--no-install", "ecoai", ...args],
    entry: "/dist/src/index.js",
  },
  bun: {
    label: `Bun ${Bun.version}`,
    script: (file: string) => [BUN, file],
    // Plain bunx, as a user types it: with Node installed it starts the command under Node first.
    runner: "bunx",
    ecoai: (...args: string[]) => ["bunx", "ecoai", ...args],
    entry: "/src/index.ts",
  },
} as const;

export interface InstalledApps {
  tarball: string;
  /** The SDKs and better-sqlite3 (its native build copied in). */
  app: string;
  /** Only ecoai: no SDK, no better-sqlite3. */
  bare: string;
  /** A Bun app as `bun add ecoai openai` leaves it: no better-sqlite3. */
  bunApp: string;
  /** better-sqlite3 installed without its native build. */
  broken: string;
  /** better-sqlite3 13, which needs Node 22. */
  tooNew: string;
}

let installing: Promise<InstalledApps> | undefined;

/** Packs ecoai and installs the apps, once. */
export function installedApps(): Promise<InstalledApps> {
  installing ??= (async () => {
    const tarball = await packOnce();
    const apps = { tarball, app: scratchDir("ecoai-app-"), bare: scratchDir("ecoai-bare-"), bunApp: scratchDir("ecoai-bun-app-"), broken: scratchDir("ecoai-broken-"), tooNew: scratchDir("ecoai-too-new-") };
    const pinned = (name: string) => `${name}@${installedVersion(name)}`;
    await Promise.all([
      createApp(apps.app, [tarball, ...["openai", "@anthropic-ai/sdk", "@google/genai", "@google/generative-ai", "better-sqlite3"].map(pinned)]),
      createApp(apps.bare, [tarball]),
      createApp(apps.bunApp, [tarball, pinned("openai")]),
      createApp(apps.broken, [tarball, pinned("better-sqlite3")], { sqliteBinding: false }),
      createApp(apps.tooNew, [tarball, "better-sqlite3@13"], { sqliteBinding: false }),
    ]);
    for (const [dir, file] of [[apps.app, "wrapped-call.mjs"], [apps.bare, "bare-import.mjs"], [apps.broken, "bare-import.mjs"], [apps.tooNew, "bare-import.mjs"]] as const) {
      copyFileSync(join(import.meta.dir, "app", file), join(dir, file));
    }
    return apps;
  })();
  return installing;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
