import type { ResolvedConfig } from "../config.ts";
import { EcoAIConfigError, type ConfigSource } from "../errors.ts";
import type { Provider } from "../types.ts";
import { createLexicalEmbedder } from "./lexical-embedder.ts";
import { createLocalEmbedder, LOCAL_EMBEDDING_MODEL, LOCAL_READABLE, requireLocalEmbedder } from "./local-embedder.ts";

/** One prompt embedded. */
export interface Embedded {
  vector: ArrayLike<number>;
  /** Input tokens billed for it (0 when unknown, as with `embedFn`). */
  tokens: number;
}

/** Where prompt vectors come from. */
export interface Embedder {
  /**
   * Names the vector space; it enters every semantic scope, so vectors of two embedders (or two
   * embedding models) are never compared.
   */
  readonly space: string;
  /** The model billed for `tokens`, for pricing. */
  readonly model: string;
  /**
   * Letters the embedder can read; a prompt with any other letter only ever matches exactly.
   * Undefined: every script.
   */
  readonly readable?: RegExp;
  embed(text: string): Promise<Embedded>;
}

type SemanticSettings = Exclude<ResolvedConfig["semantic"], false>;

interface EmbeddingsClient {
  embeddings: { create(body: { model: string; input: string }, options?: { maxRetries?: number; timeout?: number }): Promise<unknown> };
}

/**
 * An embedding is an optimisation the call waits for: a failure falls back to exact matching, so
 * it is tried once (no SDK retries with their back-off) and given a few seconds at most.
 */
const EMBEDDING_REQUEST = { maxRetries: 0, timeout: 5000 };

/**
 * The embedder semantic caching uses: `embedFn` when given; the local model or the lexical
 * embedder when `embedder` names them; else OpenAI embeddings through the wrapped client when it
 * is an OpenAI client; else through a client made with `OPENAI_API_KEY` (the `openai` package is
 * imported at the first embedding). None of these: a config error.
 */
export function resolveEmbedder(semantic: SemanticSettings, client: object, provider: Provider, env: Record<string, string | undefined>, asked: { value: unknown; source: ConfigSource }): Embedder {
  const model = semantic.embeddingModel;
  const embedFn = semantic.embedFn;
  if (embedFn) {
    return { space: `embedFn:${model}`, model, embed: async (text) => ({ vector: await embedFn(text), tokens: 0 }) };
  }
  if (semantic.embedder === "local") {
    requireLocalEmbedder({ option: "semantic.embedder", value: "local", source: asked.source });
    const embed = createLocalEmbedder();
    return { space: `local:${LOCAL_EMBEDDING_MODEL}`, model: LOCAL_EMBEDDING_MODEL, readable: LOCAL_READABLE, embed: async (text) => ({ vector: await embed(text), tokens: 0 }) };
  }
  if (semantic.embedder === "lexical") {
    const embed = createLexicalEmbedder();
    return { space: "lexical:512", model: "lexical-512", embed: async (text) => ({ vector: await embed(text), tokens: 0 }) };
  }
  if (provider === "openai" && isEmbeddingsClient(client)) {
    return { space: `openai:${model}`, model, embed: (text) => openaiEmbedding(client, model, text) };
  }
  const apiKey = env.OPENAI_API_KEY;
  if (apiKey) {
    let made: Promise<EmbeddingsClient> | undefined;
    const ownClient = () =>
      (made ??= import("openai").then(({ default: OpenAI }) => new OpenAI({ apiKey, ...EMBEDDING_REQUEST }) as unknown as EmbeddingsClient).catch((error) => {
        made = undefined;
        throw error;
      }));
    return { space: `openai:${model}`, model, embed: async (text) => openaiEmbedding(await ownClient(), model, text) };
  }
  throw new EcoAIConfigError(
    "semantic",
    asked.value,
    asked.source,
    'semantic caching needs embeddings: pass semantic: { embedder: "local" } (offline, no key), semantic: { embedFn }, or set OPENAI_API_KEY.',
  );
}

function isEmbeddingsClient(client: object): client is EmbeddingsClient {
  return typeof (client as { embeddings?: { create?: unknown } }).embeddings?.create === "function";
}

async function openaiEmbedding(client: EmbeddingsClient, model: string, text: string): Promise<Embedded> {
  const response = (await client.embeddings.create({ model, input: text }, EMBEDDING_REQUEST)) as {
    data?: { embedding?: unknown }[];
    usage?: { prompt_tokens?: number };
  };
  const vector = response.data?.[0]?.embedding;
  if (!Array.isArray(vector) && !(vector instanceof Float32Array)) throw new Error(`[ecoai] the ${model} embeddings response has no vector`);
  return { vector: vector as ArrayLike<number>, tokens: Number(response.usage?.prompt_tokens ?? 0) };
}
