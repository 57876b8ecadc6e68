import { COMMANDS } from "../../src/cli/commands.ts";

/** Every command's --help text, by command name: each command the CLI has, so a new one is checked too. */
export const HELP: Record<string, string> = Object.fromEntries(
  await Promise.all(Object.entries(COMMANDS).map(async ([name, command]) => [name, (await command.load()).help] as const)),
);
