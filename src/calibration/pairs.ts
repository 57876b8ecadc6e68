/**
 * Labelled question pairs for the semantic-quality benchmark: the project's own set, or a file of
 * public data (Quora Question Pairs, PAWS, MRPC, or JSON lines) given by path.
 * @module
 */
import { readFileSync } from "node:fs";
import { BENCHMARK_FAMILIES, BENCHMARK_OTHER_SCRIPTS } from "./questions.ts";

/** Two questions and whether they mean the same. */
export interface LabelledPair {
  a: string;
  b: string;
  duplicate: boolean;
  /**
   * Meaning ids of `a` and `b` where the data has them: two questions of one meaning are the same
   * question, whichever pairs they come from. Without them, only a pair's own partner is.
   */
  meaningA?: string;
  meaningB?: string;
  /** What kind of pair: "paraphrase", "near miss", "unrelated", "other script", or the file's label. */
  kind: string;
}

/** The project's own set: paraphrases, near misses of one subject, unrelated questions, and questions in other scripts. */
export function builtInPairs(): LabelledPair[] {
  const families = BENCHMARK_FAMILIES.trim()
    .split("\n")
    .map((line) => line.split("||").map((meaning) => meaning.split("|").map((question) => question.trim())));
  const pairs: LabelledPair[] = [];
  families.forEach((meanings, f) => {
    meanings.forEach((wordings, m) => {
      const id = `${f}.${m}`;
      for (let i = 0; i < wordings.length; i++) {
        for (let j = i + 1; j < wordings.length; j++) pairs.push({ a: wordings[i]!, b: wordings[j]!, duplicate: true, meaningA: id, meaningB: id, kind: "paraphrase" });
      }
      // Near misses: the same wording slot of every other meaning of the family, the hardest case.
      for (let other = m + 1; other < meanings.length; other++) {
        const shared = Math.min(wordings.length, meanings[other]!.length);
        for (let k = 0; k < shared; k++) pairs.push({ a: wordings[k]!, b: meanings[other]![k]!, duplicate: false, meaningA: id, meaningB: `${f}.${other}`, kind: "near miss" });
      }
    });
    // One unrelated pair per family: the next family's first question.
    const next = families[(f + 1) % families.length]!;
    pairs.push({ a: meanings[0]![0]!, b: next[0]![0]!, duplicate: false, meaningA: `${f}.0`, meaningB: `${(f + 1) % families.length}.0`, kind: "unrelated" });
  });
  BENCHMARK_OTHER_SCRIPTS.forEach((question, i) => {
    const next = BENCHMARK_OTHER_SCRIPTS[(i + 1) % BENCHMARK_OTHER_SCRIPTS.length]!;
    pairs.push({ a: question, b: next, duplicate: false, meaningA: `script.${i}`, meaningB: `script.${(i + 1) % BENCHMARK_OTHER_SCRIPTS.length}`, kind: "other script" });
  });
  return pairs;
}

/**
 * Pairs from a file: a TSV with a header naming question1/question2/is_duplicate (Quora Question
 * Pairs), sentence1/sentence2/label (PAWS) or "#1 String"/"#2 String"/Quality (MRPC), or JSON
 * lines of { a, b, duplicate } (or those same field names). Rows without two texts and a 0/1 label are skipped.
 */
export function pairsFromFile(path: string): LabelledPair[] {
  const text = readFileSync(path, "utf8");
  const lines = text.split(/\r?\n/u).filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new Error(`${path} has no rows`);
  if (lines[0]!.trimStart().startsWith("{")) return lines.map((line, i) => pairOf(JSON.parse(line) as Record<string, unknown>, `${path}:${i + 1}`)).filter(isPair);
  const header = lines[0]!.split("\t").map((name) => name.trim().toLowerCase());
  const column = (...names: string[]) => header.findIndex((name) => names.includes(name));
  const [a, b, label] = [column("question1", "sentence1", "#1 string"), column("question2", "sentence2", "#2 string"), column("is_duplicate", "label", "quality", "\ufeffquality")];
  if (a < 0 || b < 0 || label < 0) throw new Error(`${path}: expected a header with question1/question2/is_duplicate, sentence1/sentence2/label or "#1 String"/"#2 String"/Quality; got ${header.join(", ")}`);
  return lines
    .slice(1)
    .map((line) => line.split("\t"))
    .map((cells) => pairOf({ a: cells[a], b: cells[b], duplicate: cells[label]?.trim() }, path))
    .filter(isPair);
}

function pairOf(row: Record<string, unknown>, where: string): LabelledPair | undefined {
  const a = row.a ?? row.question1 ?? row.sentence1;
  const b = row.b ?? row.question2 ?? row.sentence2;
  const label = row.duplicate ?? row.is_duplicate ?? row.label;
  if (typeof a !== "string" || typeof b !== "string" || a.trim() === "" || b.trim() === "" || a.trim() === b.trim()) return undefined;
  const duplicate = label === true || label === 1 || label === "1" ? true : label === false || label === 0 || label === "0" ? false : undefined;
  if (duplicate === undefined) {
    if (where.includes(":")) throw new Error(`${where}: "duplicate" must be true/false or 1/0`);
    return undefined;
  }
  return { a: a.trim(), b: b.trim(), duplicate, kind: duplicate ? "duplicate" : "not duplicate" };
}

function isPair(pair: LabelledPair | undefined): pair is LabelledPair {
  return pair !== undefined;
}
