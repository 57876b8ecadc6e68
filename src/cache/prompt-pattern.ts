import picomatch from "picomatch";

/**
 * The matcher behind `flush({ pattern })`: a case-insensitive glob over the prompt text, on one
 * line. `bash` lets `*` cross "/", since prompt text is not a path.
 *
 * @example
 * promptMatcher("*refund*")("Where is my REFUND?"); // true
 */
export function promptMatcher(pattern: string): (prompt: string) => boolean {
  const matcher = picomatch(pattern, { nocase: true, dot: true, bash: true });
  return (prompt) => matcher(prompt.replace(/\s+/g, " "));
}
