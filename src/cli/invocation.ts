/**
 * How the user ran `ecoai`, so that every command the CLI prints for them to type next (the
 * demo's "see it in the dashboard", a `--help` hint, an install advice) works where they are:
 * `npx ecoai …` in a Node app, `bunx ecoai …` in a Bun app, `npm run dashboard -- …` in a clone
 * of this repository, `ecoai …` when installed globally.
 *
 * @module
 */
import { readFileSync, realpathSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, relative } from "node:path";
import { isBun } from "./under-bun.ts";
import { packageRoot } from "./version.ts";

type Env = Record<string, string | undefined>;

export interface Invocation {
  /** What was used to run this process: `npx`, `bunx`, a package script, or the command itself. */
  readonly via: "npx" | "bunx" | "script" | "direct";
  /** The line to type to run `ecoai <command> <args…>` here. */
  command(name: string, args?: readonly string[]): string;
}

/** An argument as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A command line to print: the program, then its arguments quoted where a shell needs it. */
export function commandLine(words: readonly string[]): string {
  return words.map((word, i) => (i === 0 ? word : shellQuote(word))).join(" ");
}

/** The scripts of the package whose script is running (npm and bun say where its package.json is). */
function packageScripts(env: Env): Record<string, string> {
  if (!env.npm_package_json) return {};
  try {
    return (JSON.parse(readFileSync(env.npm_package_json, "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  } catch {
    return {};
  }
}

/** This package's folder; none when running from a bundle outside any package. */
function ownRoot(): string | undefined {
  try {
    return packageRoot();
  } catch {
    return undefined;
  }
}

function samePath(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** The file a command name on PATH resolves to, links followed. */
export function onPath(name: string, env: Env = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    try {
      return realpathSync(join(dir, name));
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/**
 * Works out how this process was started from what npm, npx, bun and bunx put in the environment
 * and from the script's own path.
 */
export function detectInvocation(env: Env = process.env, argv: readonly string[] = process.argv, cwd = process.cwd()): Invocation {
  if (env.npm_lifecycle_event === "npx") return { via: "npx", command: (name, args = []) => commandLine(["npx", "ecoai", name, ...args]) };
  if (env.npm_lifecycle_event === "bunx") return { via: "bunx", command: (name, args = []) => commandLine(["bunx", "ecoai", name, ...args]) };

  // A script of this very package's package.json (`npm run demo` in a clone): name its scripts.
  if (env.npm_lifecycle_event && env.npm_package_json && samePath(dirname(env.npm_package_json), ownRoot())) {
    const scripts = packageScripts(env);
    // `bun run` names the bun binary as npm_execpath; npm names its own script.
    const onBun = isBun(env.npm_execpath);
    const runner = onBun ? ["bun", "run"] : ["npm", "run"];
    return {
      via: "script",
      command(name, args = []) {
        const [script, rest] = Object.hasOwn(scripts, name) ? [name, args] : Object.hasOwn(scripts, "ecoai") ? ["ecoai", [name, ...args]] : [undefined, []];
        if (script === undefined) return commandLine(["npx", "ecoai", name, ...args]);
        // npm hands a script its arguments after `--`; bun run takes them as they are.
        return commandLine([...runner, script, ...(rest.length > 0 && !onBun ? ["--"] : []), ...rest]);
      },
    };
  }

  const script = argv[1] ?? "";
  const runtime = process.versions.bun ? "bun" : "node";
  let file: string | undefined;
  try {
    file = realpathSync(script);
  } catch {
    file = undefined;
  }
  if (file !== undefined && onPath("ecoai", env) === file) return { via: "direct", command: (name, args = []) => commandLine(["ecoai", name, ...args]) };
  // The package's bin link in an app's node_modules: the package runner of the runtime.
  if (/node_modules[\\/]\.bin[\\/]ecoai$/.test(script) || /node_modules[\\/]ecoai[\\/]/.test(file ?? "")) {
    const runner = runtime === "bun" ? ["bunx", "ecoai"] : ["npx", "ecoai"];
    return { via: "direct", command: (name, args = []) => commandLine([...runner, name, ...args]) };
  }
  // A source file run by hand (`bun src/cli/index.ts demo`): the same file, as close to the folder as it reads.
  const shown = script === "" ? "ecoai" : isAbsolute(script) && !relative(cwd, script).startsWith("..") ? relative(cwd, script) : script;
  return { via: "direct", command: (name, args = []) => commandLine([runtime, shown, name, ...args]) };
}
