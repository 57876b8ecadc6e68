/**
 * The published package, for real: `npm pack`, `npm install` of the tarball into fresh apps, and
 * the library, the `ecoai` command and the dashboard used from there under Node and under Bun.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { CHAT_ROUTE, useUpstream } from "../harness.ts";
import { BUN, NODE, ROOT, createApp, installedVersion, packOnce, run, runOk, scratchDir } from "./pack.ts";

/** Packing builds the package and both installs reach the npm registry (or its cache). */
const SETUP_TIMEOUT_MS = 240_000;
const STEP_TIMEOUT_MS = 60_000;

const up = useUpstream();
const app = scratchDir("ecoai-app-");
const bare = scratchDir("ecoai-bare-");
const broken = scratchDir("ecoai-broken-");
const tooNew = scratchDir("ecoai-too-new-");
const nodeVersion = (await run([NODE, "--version"], { cwd: app })).stdout.trim();
const nodeHasSqlite = (await run([NODE, "-e", "require('node:sqlite')"], { cwd: app })).code === 0;

const RUNTIMES = {
  node: {
    label: `Node ${nodeVersion}`,
    script: (file: string) => [NODE, file],
    ecoai: (...args: string[]) => ["npx", "--no-install", "ecoai", ...args],
    entry: "/dist/src/index.js",
  },
  bun: {
    label: `Bun ${Bun.version}`,
    script: (file: string) => [BUN, file],
    ecoai: (...args: string[]) => [BUN, "x", "--bun", "ecoai", ...args],
    entry: "/src/index.ts",
  },
} as const;

let tarball = "";

beforeAll(async () => {
  tarball = await packOnce();
  await Promise.all([
    createApp(app, [tarball, `openai@${installedVersion("openai")}`, `better-sqlite3@${installedVersion("better-sqlite3")}`]),
    createApp(bare, [tarball]),
    createApp(broken, [tarball, `better-sqlite3@${installedVersion("better-sqlite3")}`], { sqliteBinding: false }),
    createApp(tooNew, [tarball, "better-sqlite3@13"], { sqliteBinding: false }),
  ]);
  for (const [dir, file] of [[app, "wrapped-call.mjs"], [bare, "bare-import.mjs"], [broken, "bare-import.mjs"], [tooNew, "bare-import.mjs"]] as const) {
    copyFileSync(join(import.meta.dir, "app", file), join(dir, file));
  }
}, SETUP_TIMEOUT_MS);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Uses the public types the way an app would; the expected errors prove the types are not `any`. */
const CONSUMER = `
import OpenAI from "openai";
import { EcoAI, EcoAIError, type UsageSummary } from "ecoai";

const eco = new EcoAI({ client: new OpenAI({ apiKey: "sk-test" }), mode: "prod", ttl: 60 });
const response = await eco.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
const text: string | null = response.choices[0]!.message.content;
const summary: UsageSummary = await eco.summary();
// @ts-expect-error an unknown mode
new EcoAI({ client: new OpenAI({ apiKey: "sk-test" }), mode: "fast" });
// @ts-expect-error the response is the SDK's, not a string
const wrong: string = response;
console.log(text, summary, wrong, EcoAIError);
`;

const running: { kill(): void }[] = [];
afterAll(() => running.forEach((child) => child.kill()));

/** Starts `ecoai dashboard`, waits for the URL it prints, and returns it. */
async function startDashboard(command: string[]): Promise<string> {
  const child = Bun.spawn(command, { cwd: app, stdout: "pipe", stderr: "pipe" });
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
  const { stdout } = await runOk(["tar", "-tzf", tarball], { cwd: app });
  const files = stdout.split("\n").filter(Boolean).map((file) => file.replace(/^package\//, ""));
  for (const file of ["package.json", "README.md", "LICENSE", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/index.js", "src/index.ts", "src/simulator/index.ts", "dist/src/simulator/index.js", "dist/src/simulator/index.d.ts", "dashboard/index.html"]) {
    expect(files).toContain(file);
  }
  expect(files.filter((file) => file.endsWith(".test.ts"))).toEqual([]);
}, STEP_TIMEOUT_MS);

test("publint finds nothing to report in the tarball", async () => {
  const { stdout } = await runOk([join(ROOT, "node_modules", ".bin", "publint"), "run", tarball, "--strict"], { cwd: app });
  expect(stdout).toContain("All good");
}, STEP_TIMEOUT_MS);

test("a TypeScript app type-checks against the shipped declarations (nodenext, no skipLibCheck)", async () => {
  const consumer = join(app, "typed");
  mkdirSync(consumer, { recursive: true });
  writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true, types: [], lib: ["es2022", "dom"] },
    files: ["consumer.ts"],
  }));
  writeFileSync(join(consumer, "consumer.ts"), CONSUMER);
  await runOk([join(ROOT, "node_modules", ".bin", "tsc"), "-p", consumer], { cwd: app });
}, STEP_TIMEOUT_MS);

for (const [name, runtime] of Object.entries(RUNTIMES)) {
  describe(`installed from the tarball, under ${runtime.label}`, () => {
    const data = join(app, `data-${name}`);

    test("a wrapped OpenAI call is served from the cache the second time", async () => {
      mkdirSync(data, { recursive: true });
      const before = up.sim.count(CHAT_ROUTE);
      const { stdout } = await runOk([...runtime.script("wrapped-call.mjs"), up.sim.openaiBaseURL, data, `Packaged under ${name}?`], { cwd: app });
      const result = JSON.parse(stdout) as { entry: string; sameAnswer: boolean; hits: boolean[]; betterSqlite: boolean };
      expect(result.entry).toEndWith(`node_modules/ecoai${runtime.entry}`);
      expect(result.hits).toEqual([false, true]);
      expect(result.sameAnswer).toBe(true);
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
      // Bun has bun:sqlite; a Node without node:sqlite goes through better-sqlite3.
      expect(result.betterSqlite).toBe(name === "node" && !nodeHasSqlite);
    }, STEP_TIMEOUT_MS);

    test("`ecoai --help` and `ecoai dashboard --help` answer", async () => {
      const main = await runOk(runtime.ecoai("--help"), { cwd: app });
      expect(main.stdout).toContain("Usage: ecoai <command>");
      expect(main.stdout).toContain("dashboard");
      const dashboard = await runOk(runtime.ecoai("dashboard", "--help"), { cwd: app });
      expect(dashboard.stdout).toContain("--port");
      expect(dashboard.stdout).toContain("--no-browser");
    }, STEP_TIMEOUT_MS);

    test("`ecoai demo` plays its offline session with the simulator the package ships", async () => {
      const demo = join(app, `demo-${name}`);
      const { stdout } = await runOk(runtime.ecoai("demo", "--db", join(demo, "usage.db"), "--cache", join(demo, "cache.db")), { cwd: app });
      // The session's exact rows are the demo test's business; here: it ran offline and served hits.
      expect(stdout).toContain("offline, local OpenAI simulator");
      expect(stdout).toMatch(/This session: \d+ calls, [1-9]\d* hits/);
    }, STEP_TIMEOUT_MS);

    test("importing ecoai with no optional package installed succeeds", async () => {
      const dir = join(bare, `data-${name}`);
      const { stdout } = await runOk([...runtime.script("bare-import.mjs"), dir], { cwd: bare });
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
      const other = join(app, `data-${name === "node" ? "bun" : "node"}`, "usage.db");
      const port = await freePort();
      const bin = join(app, "node_modules", ".bin", "ecoai");
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
    const error = await sqliteError(broken);
    expect(error.code).toBe("ECOAI_SQLITE_UNAVAILABLE");
    expect(error.message).toContain("better-sqlite3 is installed but does not load");
    expect(error.message).toContain("npm install better-sqlite3@12");
  }, STEP_TIMEOUT_MS);

  test("version 13, which crashes Node 20, is never loaded", async () => {
    const error = await sqliteError(tooNew);
    expect(error.code).toBe("ECOAI_SQLITE_UNAVAILABLE");
    expect(error.message).toMatch(/better-sqlite3 13\.\S+ needs Node 22 or later/);
    expect(error.message).toContain("npm install better-sqlite3@12");
  }, STEP_TIMEOUT_MS);
});
