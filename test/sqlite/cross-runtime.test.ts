/**
 * One cache file and one usage log, used in turn by three real processes with the three SQLite
 * drivers: Node with better-sqlite3, Bun with bun:sqlite, Node with node:sqlite. Each serves the
 * entry the previous one stored and reads the rows it logged.
 */
import { beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CHAT_ROUTE, useUpstream } from "../harness.ts";
import { BUN, NODE, packOnce, runOk } from "../package/pack.ts";
import { nodeWithSqlite } from "./node-runtime.ts";

const up = useUpstream();
const SCRIPT = join(import.meta.dir, "runtime-side.mjs");
const nodeHasSqlite = (await Bun.spawn([NODE, "-e", "require('node:sqlite')"], { stderr: "ignore" }).exited) === 0;
let node22 = "";

beforeAll(async () => {
  // dist/ comes from the same build the tarball test packs.
  [node22] = await Promise.all([nodeWithSqlite(), packOnce()]);
}, 240_000);

async function turn(runtime: string, ...questions: string[]): Promise<{ driver: string; hits: boolean[]; totalCalls: number }> {
  const { stdout } = await runOk([runtime, SCRIPT, up.sim.openaiBaseURL, up.dir, ...questions], { cwd: up.dir });
  return JSON.parse(stdout);
}

/** One runtime's semantic turn in a cache folder of its own. */
async function semanticTurn(runtime: string, dir: string, ...questions: string[]): Promise<{ driver: string; hits: boolean[]; semanticHits: boolean[] }> {
  mkdirSync(dir, { recursive: true });
  const { stdout } = await runOk([runtime, SCRIPT, up.sim.openaiBaseURL, dir, ...questions], { cwd: up.dir, env: { ...process.env, ECOAI_TEST_SEMANTIC: "1" } });
  return JSON.parse(stdout);
}

test("a cache and usage log written under Node open under Bun and back, with every driver", async () => {
  const before = up.sim.count(CHAT_ROUTE);

  const node = await turn(NODE, "first asked under Node");
  expect(node).toEqual({ driver: nodeHasSqlite ? "node:sqlite" : "better-sqlite3", hits: [false], totalCalls: 1 });

  const bun = await turn(BUN, "first asked under Node", "first asked under Bun");
  expect(bun).toEqual({ driver: "bun:sqlite", hits: [true, false], totalCalls: 3 });

  const withNodeSqlite = await turn(node22, "first asked under Bun", "first asked under node:sqlite");
  expect(withNodeSqlite).toEqual({ driver: "node:sqlite", hits: [true, false], totalCalls: 5 });

  const back = await turn(NODE, "first asked under node:sqlite", "first asked under Node");
  expect(back).toEqual({ driver: node.driver, hits: [true, true], totalCalls: 7 });

  expect(up.sim.count(CHAT_ROUTE) - before).toBe(3);
}, 60_000);

test("semantic matching finds a reworded prompt's answer in the SQLite file with every driver", async () => {
  const asked = "What is the capital of Australia? Answer in one word.";
  const reworded = "What is the capital city of Australia? Answer in one word.";
  const drivers = [
    [NODE, nodeHasSqlite ? "node:sqlite" : "better-sqlite3"],
    [BUN, "bun:sqlite"],
    [node22, "node:sqlite"],
  ] as const;
  for (const [i, [runtime, driver]] of drivers.entries()) {
    const dir = join(up.dir, `semantic-${i}`);
    expect(await semanticTurn(runtime, dir, asked)).toEqual({ driver, hits: [false], semanticHits: [false] });
    // A new process: its index loads the first call's vector from the file.
    expect(await semanticTurn(runtime, dir, reworded)).toEqual({ driver, hits: [true], semanticHits: [true] });
  }
}, 90_000);
