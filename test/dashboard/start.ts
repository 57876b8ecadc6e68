/**
 * Starts the real `ecoai dashboard` command in a child process, under Bun (the TypeScript sources)
 * or under Node (the same sources bundled for Node, nothing Bun-only on the path), and reads the
 * address it prints.
 * @module
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const CLI = join(ROOT, "src", "cli", "index.ts");
// Inside the package, so the dashboard folder and the chart library resolve as for an installed one.
const NODE_OUT = join(ROOT, "test-artifacts", "dashboard-cli-node");

export type Runtime = "bun" | "node";

let nodeCli: Promise<string> | undefined;

/** The command bundled for Node, once per test process. */
function buildNodeCli(): Promise<string> {
  nodeCli ??= (async () => {
    rmSync(NODE_OUT, { recursive: true, force: true });
    mkdirSync(NODE_OUT, { recursive: true });
    const build = await Bun.build({ entrypoints: [CLI], outdir: NODE_OUT, target: "node", format: "esm", external: ["better-sqlite3"] });
    if (!build.success) throw new AggregateError(build.logs, "bundling the ecoai command for Node failed");
    const bundle = build.outputs[0]!.path;
    if (readFileSync(bundle, "utf8").includes('from "bun:')) throw new Error("the Node bundle imports a bun: module");
    return bundle;
  })();
  return nodeCli;
}

/** How to run the `ecoai` command under `runtime`. */
export async function ecoaiCommand(runtime: Runtime): Promise<string[]> {
  return runtime === "bun" ? [process.execPath, CLI] : [Bun.which("node") ?? "node", await buildNodeCli()];
}

export interface StartedDashboard {
  /** The address it printed, as printed (with `?token=…` when it needs one). */
  address: string;
  /** Its origin: `http://127.0.0.1:PORT`. */
  origin: string;
  port: number;
  /** Everything it printed up to and including the lines after its address. */
  printed: string;
  stop(): Promise<void>;
}

/** Runs `ecoai dashboard ARGS --port 0 --no-browser` and waits for the address it prints. */
export async function startDashboard(runtime: Runtime, args: string[], cwd: string): Promise<StartedDashboard> {
  const child = Bun.spawn([...(await ecoaiCommand(runtime)), "dashboard", ...args, "--port", "0", "--no-browser"], { cwd, stdout: "pipe", stderr: "pipe" });
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let printed = "";
  // "Press Ctrl+C" is the last line of the start-up text, after the address and any warning.
  while (!printed.includes("Press Ctrl+C")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`ecoai dashboard (${runtime}) exited: ${printed}\n${await stderr}`);
    printed += decoder.decode(value);
  }
  // Keep reading so a chatty server never blocks on a full pipe.
  void (async () => {
    while (!(await reader.read()).done);
  })();
  const address = /ecoai dashboard: (http:\/\/\S+)/.exec(printed)![1]!;
  const url = new URL(address);
  return {
    address,
    origin: url.origin,
    port: Number(url.port),
    printed,
    async stop() {
      child.kill("SIGINT");
      await child.exited;
    },
  };
}
