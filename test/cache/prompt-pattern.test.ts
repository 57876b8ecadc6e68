import { describe, expect, test } from "bun:test";
import picomatch from "picomatch";
import { MAX_GROUPED_WILDCARDS, promptMatcher } from "../../src/cache/prompt-pattern.ts";
import { EcoAIConfigError } from "../../src/errors.ts";
import { ask, useUpstream } from "../harness.ts";

const up = useUpstream();

/** A small seeded generator (mulberry32), so that a failure names a case that can be replayed. */
function random(seed: number): (below: number) => number {
  return (below) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % below;
  };
}

describe("promptMatcher", () => {
  test("matches as picomatch does, case-insensitively, on prompts that are not paths", () => {
    const pick = random(11);
    const atoms = ["a", "b", "A", " ", ".", "x", "é", "*", "**", "?", "[ab]", "[!a]", "[^b]", "[a-c]", "\\*", "[[:alpha:]]", "{a,b}", "@(a|bb)"];
    const characters = ["a", "b", "A", "B", " ", "  ", ".", "x", "*", "é", "\n"];
    const mismatches: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let pattern = pick(8) === 0 ? "!" : "";
      for (let n = 1 + pick(6); n > 0; n--) pattern += atoms[pick(atoms.length)];
      let ours: (prompt: string) => boolean;
      try {
        ours = promptMatcher(pattern);
      } catch (error) {
        // Refused patterns are tested below.
        expect(error).toBeInstanceOf(EcoAIConfigError);
        continue;
      }
      const theirs = picomatch(pattern, { nocase: true, dot: true, bash: true });
      for (let j = 0; j < 20; j++) {
        let prompt = "";
        for (let n = pick(9); n > 0; n--) prompt += characters[pick(characters.length)];
        // The prompt is read on one line; "", "." and ".." are where picomatch's path rules differ.
        const line = prompt.replace(/\s+/g, " ");
        if (line === "" || line === "." || line === "..") continue;
        if (ours(prompt) !== theirs(line)) mismatches.push(`${JSON.stringify(pattern)} on ${JSON.stringify(prompt)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test("stars match across '/' and '.', as prompt text is not a path", () => {
    expect(promptMatcher("*this.*")("What is this.")).toBe(true);
    expect(promptMatcher("see *")("see ../etc/passwd")).toBe(true);
    expect(promptMatcher("*")("")).toBe(true);
  });

  test("patterns that make picomatch's expression backtrack exponentially run in linear time on a 200-character prompt", () => {
    const prompt = "a".repeat(200);
    // Each took seconds or more before (2.5 s for the first on 40 characters); a hang fails the test by its timeout.
    for (const pattern of ["*a*a*a*a*a*a*a*a*a*a*b", "*?*?*?*?*?*?*?*?*?*?*b", "*[a-c]*[a-c]*[a-c]*[a-c]*[a-c]*[a-c]*[a-c]*[a-c]*b", `${"*a".repeat(60)}*b`]) {
      expect(promptMatcher(pattern)(prompt)).toBe(false);
      expect(promptMatcher(pattern)(`${prompt}b`)).toBe(true);
    }
  });

  test("a pattern with groups and more wildcards than that bound, or with a repeated group, is refused with an EcoAIConfigError", () => {
    for (const pattern of ["*{a,b}*{a,b}*{a,b}*b", "*@(a|b)*a*a*b", "+(a|aa)b", "*(a|aa)b"]) {
      let error: unknown;
      try {
        promptMatcher(pattern);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(EcoAIConfigError);
      expect((error as EcoAIConfigError).option).toBe("flush pattern");
      expect((error as EcoAIConfigError).value).toBe(pattern);
      expect((error as EcoAIConfigError).message).toContain(pattern);
    }
    // Up to the bound, groups and stars go together.
    expect(MAX_GROUPED_WILDCARDS).toBe(2);
    expect(promptMatcher("*{refund,return}*")("Where is my RETURN label?")).toBe(true);
  });
});

test("flush({ pattern }) with a backtracking pattern removes exactly the matching entries, and refuses an unbounded one", async () => {
  const eco = up.eco();
  const long = `${"a".repeat(199)}b`;
  for (const content of [long, "a".repeat(200), "refund please"]) await eco.chat.completions.create(ask(content));
  expect(await eco.flush({ pattern: "*a*a*a*a*a*a*a*a*a*a*b" })).toBe(1);
  await expect(eco.flush({ pattern: "*{a,b}*{a,b}*{a,b}*b" })).rejects.toBeInstanceOf(EcoAIConfigError);
  expect(await eco.flush({ pattern: "*REFUND*" })).toBe(1);
});
