/**
 * LangChain's llm string: the model's identifying parameters and the call options (bound tools
 * included), as `name:JSON` pairs sorted by name and joined with commas, e.g.
 * `_type:"openai",apiKey:"sk-…",model:"gpt-4o",tools:[…]`.
 */

/** Parameters that identify who calls, not what is asked: never in a key, so rotating a key keeps the cache. */
const CREDENTIAL = /api_?key$|secret|password|access_?token|credentials/i;

/**
 * The pairs of an llm string, each value parsed from its JSON (kept as text when it does not
 * parse), credentials and the `stream` flag left out: what can change the answer.
 *
 * @example llmStringParams('_type:"openai",apiKey:"sk-1",model:"gpt-4o",stream:false') // { _type: "openai", model: "gpt-4o" }
 */
export function llmStringParams(llmString: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  let at = 0;
  while (at < llmString.length) {
    const colon = llmString.indexOf(":", at);
    if (colon < 0) break;
    const name = llmString.slice(at, colon);
    const end = jsonValueEnd(llmString, colon + 1);
    const text = llmString.slice(colon + 1, end);
    if (!CREDENTIAL.test(name) && name !== "stream") params[name] = parsed(text);
    at = end + 1;
  }
  return params;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Where the JSON value starting at `start` ends: the first comma outside strings and brackets. */
function jsonValueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "[" || char === "{") depth++;
    else if (char === "]" || char === "}") depth--;
    else if (char === "," && depth === 0) return index;
  }
  return text.length;
}
