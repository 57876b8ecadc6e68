import picomatch from "picomatch";
import { EcoAIConfigError, type ConfigSource } from "../errors.ts";

/** `bash` lets `*` cross "/", since prompt text is not a path. */
const GLOB_OPTIONS = { nocase: true, dot: true, bash: true } as const;

/**
 * Wildcards (`*`, and the groups `!(…)` that match any run) a pattern may hold next to parts of
 * varying length (`{a,b}`, `@(…)`): such patterns run as picomatch's own regular expression,
 * whose backtracking grows as the prompt length to the power of the wildcards.
 */
export const MAX_GROUPED_WILDCARDS = 2;

/**
 * The matcher behind `flush({ pattern })`: a case-insensitive glob over the prompt text, on one
 * line. Patterns are compiled by picomatch. `*` matches any run of characters, "/" and "."
 * included: picomatch's rules for paths (no `*` over a "." or ".." segment, a `*` after "." not
 * empty) do not apply to prompt text.
 *
 * The cost is bounded whatever the pattern: a pattern of `*`, literal characters, `?` and
 * `[…]` classes (any number of each) is matched piece by piece between its stars, each piece at
 * its leftmost place, in time linear in the prompt per piece. A pattern with groups of varying
 * length (`{a,b}`, `@(a|b)`, `!(a)`) may hold at most {@link MAX_GROUPED_WILDCARDS} wildcards;
 * repeated groups (`*(…)`, `+(…)`) are refused: their matching time can be exponential.
 *
 * @example
 * promptMatcher("*refund*")("Where is my REFUND?"); // true
 */
export function promptMatcher(pattern: string, source: ConfigSource = "constructor option"): (prompt: string) => boolean {
  // As picomatch does, a leading "./" is dropped (once) before anything else is read.
  const match = compile(pattern.startsWith("./") && pattern.length > 2 ? pattern.slice(2) : pattern, source);
  return (prompt) => match(prompt.replace(/\s+/g, " "));
}

function compile(pattern: string, source: ConfigSource): (text: string) => boolean {
  // A leading "!" (not an extglob "!(") negates the rest, as in picomatch.
  if (pattern.startsWith("!") && !pattern.startsWith("!(")) {
    const rest = compile(pattern.slice(1), source);
    return (text) => !rest(text);
  }
  const pieces = starPieces(pattern)?.map((piece, index) => singleCharacterAtoms(index === 0 ? piece : inner(piece)));
  if (pieces && pieces.every((piece) => piece !== undefined)) return piecewise(pieces as string[]);

  const refuse = (expected: string) => new EcoAIConfigError("flush pattern", pattern, source, expected);
  if (/(?<!\\)[*+]\(/.test(pattern)) throw refuse("repeated groups such as *(…) and +(…) can take exponential time to match; use * instead.");
  const wildcards = (pattern.match(/(?<!\\)(?:\*+|!\()/g) ?? []).length;
  if (wildcards > MAX_GROUPED_WILDCARDS) {
    throw refuse(`with {…} or (…) groups a pattern may hold at most ${MAX_GROUPED_WILDCARDS} wildcards (* or !(…)), as matching time grows with each; it has ${wildcards}. Split it into several flushes, or spell the groups out.`);
  }
  return picomatch(pattern, GLOB_OPTIONS);
}

/**
 * The pattern split at its top-level `*` runs (outside `[…]`, not escaped): n+1 pieces for n runs.
 * Undefined when it holds a group (`{`, `(`), which the pieces could not carry.
 */
function starPieces(pattern: string): string[] | undefined {
  const pieces: string[] = [];
  let piece = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "\\") {
      piece += pattern.slice(i, i + 2);
      i++;
    } else if (char === "[") {
      // A class runs to its closing "]" (one right after "[", "[!" or "[^" is literal); none: a literal "[".
      const end = pattern.indexOf("]", i + (pattern[i + 1] === "!" || pattern[i + 1] === "^" ? 3 : 2));
      const stop = end === -1 ? i : end;
      piece += pattern.slice(i, stop + 1);
      i = stop;
    } else if (char === "{" || char === "(") {
      return undefined;
    } else if (char === "*") {
      pieces.push(piece);
      piece = "";
      while (pattern[i + 1] === "*") i++;
    } else {
      piece += char;
    }
  }
  pieces.push(piece);
  return pieces;
}

/**
 * A piece that follows a star, written so that picomatch reads it as it reads it there: alone, a
 * leading "./" would be dropped as a path prefix.
 */
function inner(piece: string): string {
  return piece.startsWith("./") ? `\\${piece}` : piece;
}

/**
 * Regular expression atoms that each match one character (an escape, a class, a plain
 * character), then the optional "/" picomatch appends after a final class.
 */
const ATOMS = /^(?:\\.|\[(?:\\.|[^\]\\])+\]|[^\\[\]()|*+?{}^$.])*(?:\\\/\?)?$/su;
const TRAILING_SLASH = "\\/?";

/**
 * picomatch's regular expression for a star-free piece, when it is a run of single-character
 * atoms (so every match has the same length); else undefined.
 */
function singleCharacterAtoms(piece: string): string | undefined {
  if (piece === "") return "";
  // The pattern's own leading "!" is handled by the caller; in a piece it is a character.
  let source = picomatch.makeRe(piece, { ...GLOB_OPTIONS, nonegate: true }).source;
  // picomatch anchors what it returns, sometimes twice: ^(?:^(?:abc)$)$.
  while (source.startsWith("^(?:") && source.endsWith(")$")) source = source.slice(4, -2);
  return ATOMS.test(source) ? source : undefined;
}

/**
 * Matches `pieces[0] * pieces[1] * … * pieces[n]`: the first piece at the start, the last at the
 * end, each other at its leftmost place after the one before. Since every piece matches strings
 * of one length, the leftmost place is also the one that ends first, which leaves the most room
 * to the rest: if any choice matches, this one does. (The last piece, whose length may vary by an
 * optional "/", is only asked to end the text.)
 */
function piecewise(pieces: string[]): (text: string) => boolean {
  // No "u" flag, as picomatch compiles: its sources escape characters that "u" would refuse.
  const flags = "i";
  if (pieces.length === 1) {
    const whole = new RegExp(`^(?:${pieces[0]})$`, flags);
    return (text) => whole.test(text);
  }
  // Before a star, the optional "/" after a class is the star's to match.
  const beforeStar = (piece: string) => (piece.endsWith(TRAILING_SLASH) ? piece.slice(0, -TRAILING_SLASH.length) : piece);
  const first = pieces[0] === "" ? undefined : new RegExp(beforeStar(pieces[0]!), `${flags}y`);
  const middle = pieces.slice(1, -1).map(beforeStar).filter((piece) => piece !== "").map((piece) => new RegExp(piece, `${flags}g`));
  const last = pieces.at(-1) === "" ? undefined : new RegExp(`(?:${pieces.at(-1)})$`, `${flags}g`);
  return (text) => {
    let at = 0;
    if (first) {
      first.lastIndex = 0;
      if (!first.test(text)) return false;
      at = first.lastIndex;
    }
    for (const piece of middle) {
      piece.lastIndex = at;
      const found = piece.exec(text);
      if (!found) return false;
      at = found.index + found[0].length;
    }
    if (!last) return true;
    last.lastIndex = at;
    return last.test(text);
  };
}
