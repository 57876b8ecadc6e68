/**
 * The published package, for real: `npm pack`, `npm install` of the tarball into fresh apps, and
 * the library, the `ecoai` command and the dashboard used from there under Node and under Bun.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHAT_ROUTE, useUpstream } from "../harness.ts";
import { RUNTIMES, SETUP_TIMEOUT_MS, STEP_TIMEOUT_MS, USER_ENV, freePort, installedApps, nodeHasSqlite, nodeVersion, type InstalledApps } from "./apps.ts";
import { NODE, ROOT, runOk } from "./pack.ts";

/** tsc over the SDKs' declarations without skipLibCheck: seconds alone, far more on a busy machine. */
const TYPECHECK_TIMEOUT_MS = 180_000;

const up = useUpstream();
let apps: InstalledApps;
beforeAll(async () => {
  apps = await installedApps();
}, SETUP_TIMEOUT_MS);

/** Uses the public types the way an app would; the expected errors prove the types are not `any`. */
const CONSUMER = `
import OpenAI from "openai";
import { EcoAI, EcoAIError, type UsageSummary } from "ecoai";

const eco = new EcoAI({ client: new OpenAI({ apiKey: "sk-test" }), mode: "prod", ttl: 60 });
const response = await eco.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
const text: string | null = response.choices[0]!.message.content;
const summary: UsageSummary = await eco.summary();
// A drop-in for the type checker: a wrapped client is an OpenAI, and so is its withOptions() copy.
const asClient: OpenAI = eco;
const quick: EcoAI<OpenAI> = eco.withOptions({ timeout: 1000 });
// @ts-expect-error an unknown mode
new EcoAI({ client: new OpenAI({ apiKey: "sk-test" }), mode: "fast" });
// @ts-expect-error a client of no supported shape
new EcoAI({ client: { foo: 1 } });
// @ts-expect-error the response is the SDK's, not a string
const wrong: string = response;
console.log(text, summary, wrong, EcoAIError, asClient, quick);
`;

/** ecoai/simulator, as a project with Node's ESM resolution sees it. */
const SIMULATOR_CONSUMER = `
import { startSimulator, type Simulator } from "ecoai/simulator";

const sim: Simulator = await startSimulator({ port: 0 });
const url: string = sim.openaiBaseURL;
// @ts-expect-error a port is a number
await startSimulator({ port: "4010" });
console.log(url);
`;

const running: { kill(): void }[] = [];
afterAll(() => running.forEach((child) => child.kill()));

/** Starts `ecoai dashboard`, waits for the URL it prints, and returns it. */
async function startDashboard(command: string[]): Promise<string> {
  const child = Bun.spawn(command, { cwd: apps.app, stdout: "pipe", stderr: "pipe" });
  running.push(child);
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let printed = "";
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    printed += decoder.decode(chunk.value);
    const url = /https?:\/\/[^\s]+/.exec(printed)?.[0];
    if (url) {
      // Keep reading so a chatty server never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return url.replace(/\/$/, "");
    }
  }
  throw new Error(`ecoai dashboard exited without printing its URL:\n${printed}\n${await new Response(child.stderr).text()}`);
}

test("the tarball ships the built JavaScript and declarations, the TypeScript sources, the dashboard's pages and the demo's simulator, and no tests", async () => {
  const { stdout } = await runOk(["tar", "-tzf", apps.tarball], { cwd: apps.app });
  const files = stdout.split("\n").filter(Boolean).map((file) => file.replace(/^package\//, ""));
  for (const file of ["package.json", "README.md", "LICENSE", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/index.js", "src/index.ts", "src/simulator/index.ts", "dist/src/simulator/index.js", "dist/src/simulator/index.d.ts", "dashboard/index.html"]) {
    expect(files).toContain(file);
  }
  expect(files.filter((file) => file.endsWith(".test.ts"))).toEqual([]);
}, STEP_TIMEOUT_MS);

test("publint finds nothing to report in the tarball", async () => {
  const { stdout } = await runOk([join(ROOT, "node_modules", ".bin", "publint"), "run", apps.tarball, "--strict"], { cwd: apps.app });
  expect(stdout).toContain("All good");
}, STEP_TIMEOUT_MS);

/** Type-checks `files` in a folder of the app with `compilerOptions` (strict, no skipLibCheck). */
async function typeCheck(name: string, compilerOptions: Record<string, unknown>, files: Record<string, string>): Promise<void> {
  const consumer = join(apps.app, name);
  mkdirSync(consumer, { recursive: true });
  writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, target: "es2022", noEmit: true, types: [], lib: ["es2022", "dom"], ...compilerOptions },
    files: Object.keys(files),
  }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(consumer, file), text);
  await runOk([join(ROOT, "node_modules", ".bin", "tsc"), "-p", consumer], { cwd: apps.app });
}

test("a TypeScript app type-checks against the shipped declarations (nodenext, no skipLibCheck)", async () => {
  await typeCheck("typed", { module: "nodenext", moduleResolution: "nodenext" }, { "consumer.ts": CONSUMER });
}, TYPECHECK_TIMEOUT_MS);

test("ecoai/simulator type-checks from its shipped declarations", async () => {
  // The simulator is a Node HTTP server; its declarations use Node's types (Buffer).
  const nodeTypes = { types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")] };
  await typeCheck("typed-simulator", { module: "nodenext", moduleResolution: "nodenext", ...nodeTypes }, { "simulator.ts": SIMULATOR_CONSUMER });
}, TYPECHECK_TIMEOUT_MS);

test('a project with "moduleResolution": "node" resolves the package through its top-level types', async () => {
  // Top-level await needs an ES module target; node10 resolution ignores the exports map.
  await typeCheck("typed-node10", { module: "es2022", moduleResolution: "node" }, { "consumer.ts": CONSUMER });
}, TYPECHECK_TIMEOUT_MS);

for (const [name, runtime] of Object.entries(RUNTIMES)) {
  describe(`installed from the tarball, under ${runtime.label}`, () => {
    const data = () => join(apps.app, `data-${name}`);

    test("a wrapped OpenAI call is served from the cache the second time", async () => {
      mkdirSync(data(), { recursive: true });
      const before = up.sim.count(CHAT_ROUTE);
      const { stdout } = await runOk([...runtime.script("wrapped-call.mjs"), up.sim.openaiBaseURL, data(), `Packaged under ${name}?`], { cwd: apps.app });
      const result = JSON.parse(stdout) as { entry: string; sameAnswer: boolean; hits: boolean[]; betterSqlite: boolean };
      expect(result.entry).toEndWith(`node_modules/ecoai${runtime.entry}`);
      expect(result.hits).toEqual([false, true]);
      expect(result.sameAnswer).toBe(true);
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
      // Bun has bun:sqlite; a Node without node:sqlite goes through better-sqlite3.
      expect(result.betterSqlite).toBe(name === "node" && !nodeHasSqlite);
    }, STEP_TIMEOUT_MS);

    test("`ecoai --help` and `ecoai dashboard --help` answer", async () => {
      const main = await runOk(runtime.ecoai("--help"), { cwd: apps.app, env: USER_ENV[name as keyof typeof USER_ENV] });
      expect(main.stdout).toContain("Usage: ecoai <command>");
      expect(main.stdout).toContain(`Run "${runtime.runner} ecoai help <command>"`);
      const dashboard = await runOk(runtime.ecoai("dashboard", "--help"), { cwd: apps.app, env: USER_ENV[name as keyof typeof USER_ENV] });
      expect(dashboard.stdout).toContain("--port");
      expect(dashboard.stdout).toContain("--no-browser");
    }, STEP_TIMEOUT_MS);

    test("importing ecoai with no optional package installed succeeds", async () => {
      const dir = join(apps.bare, `data-${name}`);
      const { stdout } = await runOk([...runtime.script("bare-import.mjs"), dir], { cwd: apps.bare });
      const result = JSON.parse(stdout) as { exports: string[]; sqlite: "opened" | { name: string; code: string; message: string } };
      expect(result.exports).toContain("EcoAI");
      if (name === "bun" || nodeHasSqlite) {
        expect(result.sqlite).toBe("opened");
      } else {
        // Only opening SQLite fails, with an error that says what to install.
        expect(result.sqlite).toMatchObject({ name: "EcoAIError", code: "ECOAI_SQLITE_UNAVAILABLE" });
        expect((result.sqlite as { message: string }).message).toContain("npm install better-sqlite3@12");
      }
    }, STEP_TIMEOUT_MS);
  });
}

// After every runtime's wrapped call above: each dashboard reads the usage log the other runtime wrote.
for (const [name, runtime] of Object.entries(RUNTIMES)) {
  describe(`the installed dashboard, under ${runtime.label}`, () => {
    test("starts, serves /api/summary of a usage log the other runtime wrote, and its pages", async () => {
      const other = join(apps.app, `data-${name === "node" ? "bun" : "node"}`, "usage.db");
      const port = await freePort();
      const bin = join(apps.app, "node_modules", ".bin", "ecoai");
      const url = await startDashboard([...runtime.script(bin), "dashboard", "--no-browser", "--port", String(port), "--db", other]);
      expect(url).toContain(`:${port}`);
      const response = await fetch(`${url}/api/summary`);
      expect(response.status).toBe(200);
      const summary = (await response.json()) as Record<string, unknown>;
      expect(summary).toMatchObject({ totalCalls: 2, cacheHits: 1, cacheMisses: 1, hitRate: 0.5 });
      // The static pages ship in dashboard/ and the chart script comes from the app's node_modules.
      for (const [path, type] of [["/", "text/html"], ["/vendor/chart.js", "text/javascript"]] as const) {
        const page = await fetch(`${url}${path}`);
        expect(page.status).toBe(200);
        expect(page.headers.get("content-type")).toStartWith(type);
      }
    }, STEP_TIMEOUT_MS);
  });
}

describe.skipIf(nodeHasSqlite)(`under Node ${nodeVersion} (no node:sqlite), a better-sqlite3 that cannot work is refused with what to install`, () => {
  async function sqliteError(dir: string): Promise<{ code: string; message: string }> {
    const { stdout } = await runOk([NODE, "bare-import.mjs", join(dir, "data")], { cwd: dir });
    return (JSON.parse(stdout) as { sqlite: { code: string; message: string } }).sqlite;
  }

  test("installed without its native build (install script not run)", async () => {
    const error = await sqliteError(apps.broken);
    expect(error.code).toBe("ECOAI_SQLITE_UNAVAILABLE");
    expect(error.message).toContain("better-sqlite3 is installed but does not load");
    expect(error.message).toContain("npm install better-sqlite3@12");
  }, STEP_TIMEOUT_MS);

  test("version 13, which crashes Node 20, is never loaded", async () => {
    const error = await sqliteError(apps.tooNew);
    expect(error.code).toBe("ECOAI_SQLITE_UNAVAILABLE");
    expect(error.message).toMatch(/better-sqlite3 13\.\S+ needs Node 22 or later/);
    expect(error.message).toContain("npm install better-sqlite3@12");
  }, STEP_TIMEOUT_MS);
});
