import type { CachedMethod } from "../../providers/adapter.ts";
import { isRecord } from "../../providers/text.ts";
import type { PromptType, TokenUsage } from "../../types.ts";

/**
 * A LangChain cache call as the engine keys it: what LangChain hands every cache. `prompt` is the
 * conversation as text (`Human: …\nAI: …`); `parameters` the pairs of the llm string (the
 * model's identifying parameters and the call options, bound tools included) without credentials.
 */
export interface LangChainRequest extends Record<string, unknown> {
  prompt: string;
  parameters: Record<string, unknown>;
}

/** The model the call options or the model's parameters name. */
export function langChainModel(parameters: Record<string, unknown>): string {
  const named = [parameters.model, parameters.model_name, parameters.modelName].find((value) => typeof value === "string" && value !== "");
  return (named as string | undefined) ?? "unknown";
}

/** LangChain's name for the model class's provider (`openai`, `anthropic`, `googlegenerativeai`…). */
export function langChainType(parameters: Record<string, unknown>): string {
  return typeof parameters._type === "string" ? parameters._type : "";
}

/** Speaker labels of LangChain's text form of a conversation (`getBufferString`). */
const TURN = /\n(?=(?:Human|AI|System|Tool|Function|Developer): )/;

/** The last human turn's text and the conversation before it, when the conversation ends with one. */
function lastHumanTurn(prompt: string): { before: string; text: string } | undefined {
  const turns = prompt.split(TURN);
  const last = turns.at(-1) ?? "";
  if (!last.startsWith("Human: ")) return undefined;
  return { before: turns.slice(0, -1).join("\n"), text: last.slice("Human: ".length) };
}

function langChainPromptType(params: Record<string, unknown>): PromptType {
  const parameters = params.parameters as Record<string, unknown>;
  if (parameters.response_format !== undefined || parameters.ls_structured_output_format !== undefined) return "structured";
  if (Array.isArray(parameters.tools) && parameters.tools.length > 0) return "tool";
  return "text";
}

/** Generations as LangChain's own caches store them (`serializeGeneration`): `{ text, message? }`. */
function storedGenerations(value: unknown): Record<string, unknown>[] | undefined {
  return Array.isArray(value) && value.length > 0 && value.every((generation) => isRecord(generation) && typeof generation.text === "string") ? (value as Record<string, unknown>[]) : undefined;
}

/** The stored message's fields (`message.toDict().data`). */
function messageData(generation: Record<string, unknown> | undefined): Record<string, unknown> {
  const message = generation?.message;
  return isRecord(message) && isRecord(message.data) ? message.data : {};
}

/** Stop reasons of a generation that is not an answer: filtered, refused, blocked. */
const NOT_ANSWERS = new Set(["content_filter", "refusal", "safety", "recitation", "blocklist", "prohibited_content", "spii"]);

/**
 * What the engine needs to know about a LangChain chat model call, whose params are a
 * {@link LangChainRequest} and whose responses are generations in their stored form.
 */
export const LANGCHAIN_GENERATIONS: CachedMethod = {
  path: ["lookup"],
  endpoint: "langchain.chat",
  bypass: () => false,
  model: (params) => langChainModel(params.parameters as Record<string, unknown>),
  promptText: (params) => lastHumanTurn(String(params.prompt))?.text ?? String(params.prompt),
  promptType: langChainPromptType,
  keyParams: (params) => params,
  semanticParts(params) {
    const turn = lastHumanTurn(String(params.prompt));
    if (!turn || turn.text.trim() === "") return undefined;
    return { context: { parameters: params.parameters, before: turn.before }, text: turn.text };
  },
  isResponse: (stored) => storedGenerations(stored) !== undefined,
  isAnswer(response) {
    const generations = storedGenerations(response);
    if (!generations) return false;
    const metadata = messageData(generations[0]).response_metadata;
    const reason = isRecord(metadata) ? (metadata.finish_reason ?? metadata.stop_reason ?? metadata.finishReason) : undefined;
    return typeof reason !== "string" || !NOT_ANSWERS.has(reason.toLowerCase());
  },
  usage(response) {
    const usage = messageData(storedGenerations(response)?.[0]).usage_metadata;
    if (!isRecord(usage)) return { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };
    const details = isRecord(usage.input_token_details) ? usage.input_token_details : {};
    const count = (value: unknown) => (typeof value === "number" ? value : 0);
    return { inputTokens: count(usage.input_tokens), cachedInputTokens: count(details.cache_read), outputTokens: count(usage.output_tokens) } satisfies TokenUsage;
  },
  // Stored generations stay in their stored form: the cache turns them into messages.
  rebuild: (stored) => stored,
};
