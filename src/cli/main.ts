/**
 * The `ecoai` command line: parses the command name, runs it, and turns what it throws into one
 * line that says what to type next, in the words of the way it was run (see `invocation.ts`).
 *
 * @module
 */
import { EcoAIConfigError, EcoAIError, errorMessage } from "../errors.ts";
import { COMMANDS } from "./commands.ts";
import { commandLine, detectInvocation, onPath, type Invocation } from "./invocation.ts";
import { CliUsageError } from "./options.ts";
import { packageVersion } from "./version.ts";

export function mainHelp(invocation: Invocation): string {
  return `Usage: ecoai <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join("\n")}
  help       Print a command's options: ecoai help <command>

Options:
  --version  Print ecoai's version
  -h, --help Show this help

Run "${invocation.command("help")} <command>" for a command's options.`;
}

/** Runs `ecoai <argv…>` and resolves to its exit code. */
export async function main(argv: string[], invocation: Invocation = detectInvocation()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v") {
    console.log(packageVersion());
    return 0;
  }
  if (name === undefined || name === "--help" || name === "-h") {
    console.log(mainHelp(invocation));
    return name === undefined ? 1 : 0;
  }
  if (name === "help") return help(rest, invocation);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`ecoai: unknown command "${name}"\n\n${mainHelp(invocation)}`);
    return 2;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (error) {
    return report(name, error, invocation);
  }
}

async function help([name, ...extra]: string[], invocation: Invocation): Promise<number> {
  if (name === undefined) {
    console.log(mainHelp(invocation));
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command || extra.length > 0) {
    console.error(`ecoai help: ${command ? "takes one command name" : `unknown command "${name}"`}; the commands are ${Object.keys(COMMANDS).join(", ")}.`);
    return 2;
  }
  console.log((await command.load()).help);
  return 0;
}

/** One clear line (or two) for anything a command throws; the exit code says whose mistake it was. */
function report(name: string, error: unknown, invocation: Invocation): number {
  // parseArgs rejects unknown or malformed options with a code; say so plainly instead of a stack trace.
  if (error instanceof CliUsageError || String((error as { code?: unknown }).code ?? "").startsWith("ERR_PARSE_ARGS")) {
    console.error(`ecoai ${name}: ${(error as Error).message}\nRun "${invocation.command(name, ["--help"])}" for its options.`);
    return 2;
  }
  if (error instanceof EcoAIConfigError) {
    console.error(`ecoai ${name}: ${errorMessage(error)}`);
    return 2;
  }
  if (error instanceof EcoAIError && error.code === "ECOAI_SQLITE_UNAVAILABLE") {
    console.error(noSqlite(name, error, invocation));
    return 1;
  }
  // A missing file, a dead Redis: the message says it; a stack trace would only bury it.
  console.error(`ecoai ${name}: ${errorMessage(error)}`);
  return 1;
}

/**
 * Node without a SQLite driver: what to type instead, here. The library's own message speaks to
 * code (constructor options); a command-line user wants a command.
 */
function noSqlite(name: string, error: EcoAIError, invocation: Invocation): string {
  const args = process.argv.slice(3);
  const cause = error.cause === undefined ? "" : ` (${errorMessage(error.cause).split("\n")[0]})`;
  const ways = [
    ...(onPath("bun") ? [`run it under Bun: ${commandLine(["bunx", "ecoai", name, ...args])}`] : []),
    `add a driver to this project: npm install better-sqlite3@12, then ${invocation.command(name, args)}`,
    "or use Node 22.13 or later, which has node:sqlite",
  ];
  return `ecoai ${name}: Node ${process.versions.node} has no SQLite driver that ecoai can use${cause}. To open the cache and usage log:\n${ways.map((way) => `  - ${way}`).join("\n")}`;
}
