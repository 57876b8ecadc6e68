/**
 * The README's shell sessions, so tests can run the commands it shows and compare what they
 * print with what it says they print.
 *
 * A session is a ```console block: `$ command` lines, each followed by its output. An output
 * with no `…` must be printed exactly; with `…`, each shown line must appear, in order, among
 * the lines printed (blank lines aside), `…` standing for any text.
 *
 * @module
 */
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const README = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");

/** The text under a heading (`## Title` or `### Title`), up to the next heading of the same or a higher level. */
export function readmeSection(title: string): string {
  const heading = new RegExp(`^(#{2,3}) ${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m").exec(README);
  if (!heading) throw new Error(`README has no section "${title}"`);
  const level = heading[1]!.length;
  const rest = README.slice(heading.index + heading[0].length);
  const next = new RegExp(`^#{2,${level}} `, "m").exec(rest);
  return rest.slice(0, next?.index ?? rest.length);
}

/** The fenced blocks of `lang` in `text`, their contents. */
export function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm"))].map((match) => match[1]!);
}

export interface ShownCommand {
  command: string;
  output: string[];
}

/** Every `$ command` of the console blocks in `text`, with the output shown under it. */
export function shownCommands(text: string): ShownCommand[] {
  const commands: ShownCommand[] = [];
  for (const block of codeBlocks(text, "console")) {
    for (const line of block.replace(/\n$/, "").split("\n")) {
      if (line.startsWith("$ ")) commands.push({ command: line.slice(2), output: [] });
      else commands.at(-1)?.output.push(line);
    }
  }
  return commands;
}

/** The shown command whose line is `command`; fails when the README does not show it. */
export function shown(text: string, command: string): ShownCommand {
  const found = shownCommands(text).find((candidate) => candidate.command === command);
  if (!found) throw new Error(`the README does not show "$ ${command}" here`);
  return found;
}

function linePattern(line: string): RegExp {
  const parts = line.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ {2,}/g, " +"));
  return new RegExp(`^${parts.join(".*")}$`);
}

/** Asserts that `printed` is what the README shows for `expected.command`. */
export function expectAsShown(printed: string, expected: ShownCommand): void {
  const label = `output of "$ ${expected.command}"`;
  if (!expected.output.some((line) => line.includes("…"))) {
    expect(`${label}:\n${printed.replace(/\n$/, "")}`).toBe(`${label}:\n${expected.output.join("\n")}`);
    return;
  }
  const lines = printed.split("\n");
  let at = 0;
  for (const line of expected.output) {
    if (line.trim() === "" || line === "…") continue;
    const pattern = linePattern(line);
    const found = lines.findIndex((candidate, i) => i >= at && pattern.test(candidate));
    expect(found === -1 ? `${label} lacks, in order, the line:\n${line}\n\nprinted:\n${printed}` : "found").toBe("found");
    at = found + 1;
  }
}
