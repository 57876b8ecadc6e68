/**
 * A newcomer's first minutes in an app that installed the packed tarball: the demo and the
 * dashboard command it prints, under npx and plain bunx (on a Node with no SQLite driver too),
 * what each says when something is missing, and the README's sessions run as it shows them.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RUNTIMES, SETUP_TIMEOUT_MS, STEP_TIMEOUT_MS, USER_ENV, freePort, installedApps, nodeHasSqlite, nodeVersion, type InstalledApps } from "./apps.ts";
import { BUN, NODE, removeWhenDone, run, runOk, startServer, summaryAt } from "./pack.ts";
import { codeBlocks, expectAsShown, readmeSection, shown, shownCommands } from "./readme.ts";

let apps: InstalledApps;
beforeAll(async () => {
  apps = await installedApps();
}, SETUP_TIMEOUT_MS);

for (const name of ["node", "bun"] as const) {
  const { runner } = RUNTIMES[name];
  // Under Bun: an app with no better-sqlite3, on a machine whose Node may have no node:sqlite.
  test(`\`${runner} ecoai demo\` plays offline in its own folder, and the dashboard command it prints works here`, async () => {
    const demoApp = name === "bun" ? apps.bunApp : apps.app;
    const command = `${runner} ecoai demo`;
    const { stdout } = await runOk(["sh", "-c", command], { cwd: demoApp, env: USER_ENV[name] });
    const demoDir = /^Files: (\S+)/m.exec(stdout)?.[1];
    if (demoDir) removeWhenDone(demoDir);
    expectAsShown(stdout, shown(readmeSection("In your app"), command));
    expect(existsSync(join(demoApp, ".ecoai"))).toBe(false);

    const next = /^See it in the dashboard: (.+)$/m.exec(stdout)![1]!;
    expect(next).toBe(`${runner} ecoai dashboard --db ${demoDir}/usage.db`);
    const dashboard = await startServer(`${next} --port 0 --no-browser`, { cwd: demoApp, env: USER_ENV[name] });
    try {
      expect(await summaryAt(dashboard.url)).toMatchObject({ totalCalls: 12, cacheHits: 5, semanticHits: 1 });
    } finally {
      dashboard.stop();
    }
  }, STEP_TIMEOUT_MS);
}

describe.skipIf(nodeHasSqlite)(`under Node ${nodeVersion} (no node:sqlite), in an app with no better-sqlite3`, () => {
  test("`npx ecoai dashboard` says what to type here: bunx, or npm install better-sqlite3@12 and the same command", async () => {
    const command = "npx ecoai dashboard --port 0 --no-browser";
    const failed = await run(["timeout", "30", "sh", "-c", command], { cwd: apps.bare, env: USER_ENV.bun });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`ecoai dashboard: Node ${nodeVersion.slice(1)} has no SQLite driver that ecoai can use`);
    expect(failed.stderr).toContain("run it under Bun: bunx ecoai dashboard --port 0 --no-browser");
    expect(failed.stderr).toContain(`npm install better-sqlite3@12, then ${command}`);
    // Nothing addressed to code: no constructor options.
    expect(failed.stderr).not.toContain("storage");
    // Without Bun on PATH, Bun is not offered.
    const noBun = await run(["timeout", "30", "sh", "-c", command], { cwd: apps.bare, env: USER_ENV.node });
    expect(noBun.code).toBe(1);
    expect(noBun.stderr).not.toContain("bunx");
  }, STEP_TIMEOUT_MS);

  test("`bunx ecoai dashboard` runs under Bun there, as the README's first dashboard command", async () => {
    const dashboard = await startServer("bunx ecoai dashboard --port 0 --no-browser --db data/usage.db", { cwd: apps.bare, env: USER_ENV.bun });
    try {
      expect(await summaryAt(dashboard.url)).toMatchObject({ totalCalls: 0 });
    } finally {
      dashboard.stop();
    }
  }, STEP_TIMEOUT_MS);
});

test("`ecoai demo` in an app without the openai SDK says how to add it, for the way it was run", async () => {
  const npx = await run(["sh", "-c", "npx ecoai demo"], { cwd: apps.bare, env: USER_ENV.node });
  expect(npx.code).toBe(1);
  expect(npx.stderr).toContain("the demo plays through the openai SDK, which is not installed here. Add it with npm install openai");
  const bunx = await run(["sh", "-c", "bunx ecoai demo"], { cwd: apps.bare, env: USER_ENV.bun });
  expect(bunx.code).toBe(1);
  expect(bunx.stderr).toContain("Add it with bun add openai");
}, STEP_TIMEOUT_MS);

describe("the README's Command line and Try it offline sections, run in the app", () => {
  test("each `npx ecoai …` session of the Command line section prints what it shows", async () => {
    const sessions = shownCommands(readmeSection("Command line"));
    expect(sessions.length).toBeGreaterThan(3);
    for (const session of sessions) {
      const { stdout, stderr } = await run(["sh", "-c", session.command], { cwd: apps.app, env: USER_ENV.node });
      expectAsShown(stdout + stderr, session);
    }
  }, STEP_TIMEOUT_MS);

  test("`ecoai simulate` prints each SDK's base URL, and offline.mjs runs against it under Node and Bun as shown", async () => {
    const section = readmeSection("Try it offline");
    const simulate = shown(section, "npx ecoai simulate --port 4010");
    const port = String(await freePort());
    const sim = await startServer(simulate.command.replace("4010", port), { cwd: apps.app, env: USER_ENV.node });
    try {
      while (!sim.printed().includes("Press Ctrl+C to stop.")) await Bun.sleep(20);
      expectAsShown(sim.printed(), { ...simulate, output: simulate.output.map((line) => line.replaceAll("4010", port)) });
      const [script] = codeBlocks(section, "js");
      const ran = shown(section, "node offline.mjs");
      for (const [runtime, command] of [["node", NODE], ["bun", BUN]] as const) {
        const dir = join(apps.app, `offline-${runtime}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "offline.mjs"), script!.replaceAll("4010", port));
        const { stdout } = await runOk([command, "offline.mjs"], { cwd: dir, env: USER_ENV.node });
        expectAsShown(stdout, ran);
      }
    } finally {
      sim.stop();
    }
  }, STEP_TIMEOUT_MS);
});
