/**
 * Prompts with vectors chosen by the test, for verified and shadow mode tests: the centre prompt
 * of a subject, and variants each at exactly 0.95 from their centre and 0.9025 from one another,
 * so every variant's best match is its centre.
 */
import type { SemanticConfig, SemanticJudgeInput } from "../../src/types.ts";

const DIMENSIONS = 256;
export const SCORE = 0.95;
const SUBJECTS = "ABCDEFGHIJ";

export const centre = (subject: number) => `Tell me about subject ${SUBJECTS[subject]}.`;
export const variant = (subject: number, n: number) => `Tell me about subject ${SUBJECTS[subject]}, please (variant ${n}).`;

export function vectorOf(text: string): number[] {
  const found = /subject ([A-J])(?:, please \(variant (\d+)\))?/.exec(text);
  if (!found) throw new Error(`no test vector for ${text}`);
  const subject = SUBJECTS.indexOf(found[1]!);
  const vector = new Array<number>(DIMENSIONS).fill(0);
  if (found[2] === undefined) {
    vector[subject] = 1;
  } else {
    vector[subject] = SCORE;
    vector[10 + subject * 24 + Number(found[2])] = Math.sqrt(1 - SCORE * SCORE);
  }
  return vector;
}

/** Semantic settings on the test's vectors; guards off, as they would reject the variants' extra words. */
export function semantic(extra: SemanticConfig): SemanticConfig {
  return { embedFn: async (text) => vectorOf(text), embeddingModel: "test-vectors", guards: false, threshold: 0.93, ...extra };
}

/** A judge that always says `agree`, and what it was shown. */
export const judgeSaying = (agree: boolean) => {
  const seen: SemanticJudgeInput[] = [];
  return { seen, judge: (input: SemanticJudgeInput) => (seen.push(input), agree) };
};
