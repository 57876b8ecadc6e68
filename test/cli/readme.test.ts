import { describe, expect, test } from "bun:test";
import { expectAsShown, README, readmeSection, shownCommands } from "../package/readme.ts";
import { HELP } from "./help.ts";

const flags = (text: string) => new Set([...text.matchAll(/--[a-z][a-z-]*/g)].map((match) => match[0]).filter((flag) => flag !== "--help"));

test("the README's command-line section lists each command with exactly the options its --help lists", () => {
  const section = README.slice(README.indexOf("## Command line"));
  const block = section.slice(section.indexOf("```sh"), section.indexOf("```", section.indexOf("```sh") + 5));
  for (const [command, help] of Object.entries(HELP)) {
    const line = block.split("\n").find((text) => text.startsWith(`ecoai ${command} `) || text === `ecoai ${command}`);
    expect(line, `README line for ecoai ${command}`).toBeDefined();
    const listed = [...flags(line!.split("#")[0]!)].sort();
    const options = [...flags(help.slice(help.indexOf("Options:")))].sort();
    expect(`${command}: ${listed.join(" ")}`).toBe(`${command}: ${options.join(" ")}`);
  }
});

test("every session the Quick start, Try it offline and Command line sections show is one a test runs", () => {
  // test/package/clone.test.ts runs the clone's; test/package/tarball.test.ts those of an installed app.
  const shown = ["From a clone, in a minute", "In your app", "Try it offline", "Command line"].map((title) => shownCommands(readmeSection(title)).map((session) => session.command));
  expect(shown).toEqual([
    ["npm install && npm run demo"],
    ["npx ecoai demo", "bunx ecoai demo"],
    ["npx ecoai simulate --port 4010", "node offline.mjs"],
    ["npx ecoai --help", "npx ecoai --version", "npx ecoai flush", "npx ecoai prune --older-than 1m", "npx ecoai flush --all --cache no/such/cache.db"],
  ]);
});

describe("comparing printed output with the README's", () => {
  const session = { command: "x", output: ["first …", "…", "last line: …"] };

  test("lines with … match in order, anything in place of …", () => {
    expectAsShown("noise\nfirst thing\nmore noise\nlast line: 42\n", session);
  });

  test("a missing or out-of-order line fails", () => {
    expect(() => expectAsShown("last line: 42\nfirst thing\n", session)).toThrow();
    expect(() => expectAsShown("first thing\n", session)).toThrow();
  });

  test("output with no … must be printed exactly", () => {
    const exact = { command: "x", output: ["one", "two"] };
    expectAsShown("one\ntwo\n", exact);
    expect(() => expectAsShown("one\ntwo\nthree\n", exact)).toThrow();
  });
});
