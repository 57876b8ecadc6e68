/**
 * Checks of what an embedding misses, run on the text of a new prompt and of the stored prompt
 * whose vector scored above the threshold. An embedding places "Windows 8 vs 10" next to
 * "Windows 8 vs 8.1", "how to gain weight" next to "how to lose weight", and a question with
 * "not" next to the same question without it; each check here rejects one such kind of near miss.
 * Pure functions of the two texts (and scores), so each is measured and tested on its own.
 * @module
 */
import type { SemanticGuard } from "../types.ts";
import { isCommonWord } from "./common-words.ts";

/** The checks a semantic match must pass before it is served. */
export type GuardName = SemanticGuard;

/** Every guard, in the order they run (cheapest and most decisive first). */
export const GUARD_NAMES: readonly GuardName[] = ["scripts", "numbers", "quotes", "negation", "direction", "rareWords", "neighbours"];

/** One check's outcome for one candidate. */
export interface GuardVerdict {
  guard: GuardName;
  passed: boolean;
  /** What differed, when it did not pass (for logs and shadow reports). */
  detail?: string;
}

/**
 * How much higher than its nearest *other* stored prompt a candidate must score: where two stored
 * prompts lie close together they are likely near misses of each other ("8 vs 10", "8 vs 8.1"),
 * and a new prompt must be clearly closer to one of them to be served its answer.
 */
export const NEIGHBOUR_MARGIN = 0.02;

/**
 * A stored neighbour this close is a rewording of the candidate itself (case, punctuation), not a
 * different question; it raises no bar.
 */
const SAME_QUESTION_SCORE = 0.995;

const NUMBER = /\d+(?:[.,:/]\d+)*/gu;
const NUMBER_WORDS = new Map(
  "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
    .split(" ")
    .map((word, value) => [word, String(value)]),
);

/** Numbers of a text, digits and the number words zero to twenty alike, as a sorted list. */
export function numbersOf(text: string): string[] {
  const found = (text.normalize("NFKC").match(NUMBER) ?? []).map((n) => n.replace(/,(?=\d{3}\b)/gu, ""));
  for (const word of wordsOf(text)) {
    const value = NUMBER_WORDS.get(word);
    if (value !== undefined) found.push(value);
  }
  return found.sort();
}

/** The two texts name the same numbers (versions, amounts, years, counts). */
export function numbersAgree(a: string, b: string): GuardVerdict {
  return sameList("numbers", numbersOf(a), numbersOf(b));
}

const QUOTED = /"([^"]+)"|“([^”]+)”|‘([^’]+)’|«([^»]+)»|`([^`]+)`|(?<![\p{L}\p{N}])'([^']+)'(?![\p{L}\p{N}])/gu;

/** Quoted strings of a text (a name, a literal, an error message), compared as written but for case and spacing. */
export function quotedOf(text: string): string[] {
  const found: string[] = [];
  for (const match of text.normalize("NFKC").matchAll(QUOTED)) {
    const quoted = match.slice(1).find((group) => group !== undefined)!;
    found.push(quoted.toLowerCase().replace(/\s+/gu, " ").trim());
  }
  return found.sort();
}

/** The two texts quote the same strings. */
export function quotesAgree(a: string, b: string): GuardVerdict {
  return sameList("quotes", quotedOf(a), quotedOf(b));
}

const NEGATIONS = new Set(["not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "without", "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "shouldnt", "couldnt", "havent", "hasnt", "hadnt", "mustnt", "unable"]);

/** Whether a text negates: "not", "never", "without", any "n't" contraction… */
export function negates(text: string): boolean {
  return wordsOf(text).some((word) => NEGATIONS.has(word));
}

/** Both texts negate, or neither does. */
export function negationAgrees(a: string, b: string): GuardVerdict {
  const [x, y] = [negates(a), negates(b)];
  return x === y ? { guard: "negation", passed: true } : { guard: "negation", passed: false, detail: `negated: ${x ? "new prompt" : "stored prompt"} only` };
}

/** Words that mark where something goes (the word after them is a target) or comes from (a source). */
const TOWARDS = new Set(["to", "into", "onto", "towards", "toward"]);
const AWAY = new Set(["from"]);

/** Words that only join others: skipped when looking for the word a direction word points at. */
const JOINING = new Set(["a", "an", "the", "my", "your", "our", "their", "his", "her", "its", "this", "that", "these", "those", "some", "any"]);

/**
 * What a text moves from and to: each word (by its stem) right after "to"/"into" is a target,
 * right after "from" a source, and a word right before "to" (not after "from") a source too:
 * "convert Celsius to Fahrenheit", "fly from Paris to Rome", "upgrade Windows 8 to 10".
 */
export function directionsOf(text: string): Map<string, "source" | "target"> {
  const words = wordsOf(text);
  const found = new Map<string, Set<"source" | "target">>();
  const mark = (word: string, role: "source" | "target") => {
    const key = stem(word);
    found.set(key, (found.get(key) ?? new Set()).add(role));
  };
  const next = (i: number) => {
    for (let j = i + 1; j < words.length; j++) if (!JOINING.has(words[j]!)) return words[j];
    return undefined;
  };
  words.forEach((word, i) => {
    const towards = TOWARDS.has(word);
    if (!towards && !AWAY.has(word)) return;
    const after = next(i);
    if (after && !TOWARDS.has(after) && !AWAY.has(after)) mark(after, towards ? "target" : "source");
    const before = words[i - 1];
    if (towards && before && isRare(before) && words[i - 2] !== "from") mark(before, "source");
  });
  // A word on both ends ("from Windows 8 to Windows 10") says nothing of the direction.
  const roles = new Map<string, "source" | "target">();
  for (const [word, marked] of found) if (marked.size === 1) roles.set(word, [...marked][0]!);
  return roles;
}

/**
 * Neither text has a word as its source that the other has as its target: an embedding of
 * "Celsius to Fahrenheit" and "Fahrenheit to Celsius" is the same bag of words (scores of 0.99
 * were measured), but the answers are each other's inverse.
 */
export function directionAgrees(a: string, b: string): GuardVerdict {
  const [x, y] = [directionsOf(a), directionsOf(b)];
  const flipped = [...x].filter(([word, role]) => y.has(word) && y.get(word) !== role).map(([word, role]) => `${word} (${role} in the new prompt)`);
  return flipped.length === 0 ? { guard: "direction", passed: true } : { guard: "direction", passed: false, detail: `reversed: ${flipped.join(", ")}` };
}

/**
 * Content words of `query` that are not among the common words of the language and that
 * `stored` lacks (compared by a light stem, so "laptops" covers "laptop"). A new prompt that
 * names something the stored one does not ("gaming", "Universal", "Kotlin") asks something else.
 */
export function missingRareWords(query: string, stored: string): string[] {
  const have = new Set(wordsOf(stored).map(stem));
  const acronyms = acronymsOf(query);
  const missing: string[] = [];
  for (const word of new Set(wordsOf(query))) {
    if (!isRare(word) && !acronyms.has(word)) continue;
    if (!have.has(stem(word))) missing.push(word);
  }
  return missing;
}

/**
 * Short names written in capitals ("US", "UK", "EU", "AI"), lower-cased: too short to count as
 * rare words by length, yet each names one thing.
 */
function acronymsOf(text: string): Set<string> {
  return new Set((text.normalize("NFKC").match(/(?<![\p{L}\p{N}])\p{Lu}{2}(?![\p{L}\p{N}])/gu) ?? []).map((word) => word.toLowerCase()));
}

/**
 * Every rare content word of each prompt appears in the other. A new prompt that names something
 * the stored one does not asks something else; so does one that leaves out what the stored one
 * named ("How do I learn Python?" is not answered by the answer to "… for data science?").
 */
export function rareWordsCovered(query: string, stored: string): GuardVerdict {
  const notStored = missingRareWords(query, stored);
  const notAsked = missingRareWords(stored, query);
  if (notStored.length === 0 && notAsked.length === 0) return { guard: "rareWords", passed: true };
  const detail = [notStored.length ? `not in the stored prompt: ${notStored.join(", ")}` : "", notAsked.length ? `not in the new prompt: ${notAsked.join(", ")}` : ""].filter(Boolean).join("; ");
  return { guard: "rareWords", passed: false, detail };
}

/**
 * A candidate whose nearest other stored prompt (among those near the query) scores `neighbour`
 * against it must itself score at least `neighbour + NEIGHBOUR_MARGIN` against the query.
 */
export function clearOfNeighbours(score: number, neighbour: number | undefined, margin = NEIGHBOUR_MARGIN): GuardVerdict {
  if (neighbour === undefined || neighbour >= SAME_QUESTION_SCORE || score >= neighbour + margin) return { guard: "neighbours", passed: true };
  return { guard: "neighbours", passed: false, detail: `a different stored prompt lies at ${neighbour.toFixed(3)} from the match; the match needs ${(neighbour + margin).toFixed(3)}` };
}

/**
 * Letters of `text` outside the scripts `readable` matches; an embedder that cannot read them
 * maps unrelated texts to the same vector (unknown tokens), so such a text never matches.
 */
export function unreadableLetters(text: string, readable: RegExp | undefined): number {
  if (!readable) return 0;
  let count = 0;
  for (const char of text.normalize("NFKC")) if (/\p{L}/u.test(char) && !readable.test(char)) count++;
  return count;
}

/**
 * Both texts are in scripts the embedder reads, and the score is not the mark of a blind
 * embedder: a near-perfect score between texts that share almost no characters.
 */
export function scriptsReadable(query: string, stored: string, score: number, readable: RegExp | undefined): GuardVerdict {
  const unreadable = unreadableLetters(query, readable) + unreadableLetters(stored, readable);
  if (unreadable > 0) return { guard: "scripts", passed: false, detail: `${unreadable} letters in scripts the embedder does not read` };
  if (score >= 0.999 && characterOverlap(query, stored) < 0.3) return { guard: "scripts", passed: false, detail: "a near-perfect score between texts with few characters in common" };
  return { guard: "scripts", passed: true };
}

/** Which guards run; all by default. */
export type GuardSwitches = Record<GuardName, boolean>;

/** Every guard switched `on`, or off. */
export function guardSwitches(on: boolean): GuardSwitches {
  return Object.fromEntries(GUARD_NAMES.map((guard) => [guard, on])) as GuardSwitches;
}

/** What the guards see of one candidate. */
export interface GuardInput {
  query: string;
  stored: string;
  score: number;
  /** Score between the candidate and its nearest other stored prompt near the query. */
  neighbour: number | undefined;
  /** Letters the embedder reads; undefined: every script. */
  readable: RegExp | undefined;
}

/** The verdict of every guard switched on, in a fixed order. */
export function runGuards(input: GuardInput, switches: GuardSwitches): GuardVerdict[] {
  const verdicts: GuardVerdict[] = [];
  if (switches.scripts) verdicts.push(scriptsReadable(input.query, input.stored, input.score, input.readable));
  if (switches.numbers) verdicts.push(numbersAgree(input.query, input.stored));
  if (switches.quotes) verdicts.push(quotesAgree(input.query, input.stored));
  if (switches.negation) verdicts.push(negationAgrees(input.query, input.stored));
  if (switches.direction) verdicts.push(directionAgrees(input.query, input.stored));
  if (switches.rareWords) verdicts.push(rareWordsCovered(input.query, input.stored));
  if (switches.neighbours) verdicts.push(clearOfNeighbours(input.score, input.neighbour));
  return verdicts;
}

/** Lower-case words, apostrophes dropped ("don't" → "dont"). */
export function wordsOf(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().replace(/['’]/gu, "").match(/[\p{L}\p{N}]+/gu) ?? [];
}

function isRare(word: string): boolean {
  if (/^\d/u.test(word)) return false; // numbers have their own guard
  if (word.length < 3 && /^\p{Script=Latin}+$/u.test(word)) return false;
  return !isCommonWord(word) && !isCommonWord(stem(word)) && !NEGATIONS.has(word) && !NUMBER_WORDS.has(word);
}

/** A light English stem: plural and common verb endings off, so inflections compare equal. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 4) return word.slice(0, -2);
  if (word.endsWith("es") && /(?:ch|sh|x|ss|z)es$/u.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us") && !word.endsWith("is")) return word.slice(0, -1);
  return word;
}

/** Jaccard overlap of the two texts' character bigrams (spacing and case ignored). */
function characterOverlap(a: string, b: string): number {
  const grams = (text: string) => {
    const squashed = text.normalize("NFKC").toLowerCase().replace(/\s+/gu, "");
    const set = new Set<string>();
    const chars = [...squashed];
    for (let i = 0; i + 1 < chars.length; i++) set.add(chars[i]! + chars[i + 1]!);
    if (chars.length === 1) set.add(chars[0]!);
    return set;
  };
  const [x, y] = [grams(a), grams(b)];
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const gram of x) if (y.has(gram)) shared++;
  return shared / (x.size + y.size - shared);
}

function sameList(guard: GuardName, a: string[], b: string[]): GuardVerdict {
  if (a.length === b.length && a.every((value, i) => value === b[i])) return { guard, passed: true };
  return { guard, passed: false, detail: `new prompt: ${a.join(", ") || "none"}; stored prompt: ${b.join(", ") || "none"}` };
}
