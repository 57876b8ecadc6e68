#!/usr/bin/env node
/**
 * The `ecoai` command. Started by `bunx` under Node (bunx honours this file's first line), it runs
 * itself again under that Bun first; the commands themselves are in `main.ts`.
 * @module
 */
import { launchingBun, rerunUnder } from "./under-bun.ts";

const bun = launchingBun();
process.exitCode = bun ? await rerunUnder(bun) : await (await import("./main.ts")).main(process.argv.slice(2));
