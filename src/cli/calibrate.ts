import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createLexicalEmbedder } from "../cache/lexical-embedder.ts";
import { createLocalEmbedder } from "../cache/local-embedder.ts";
import { measureAlone, measurePopulated, startBench } from "../calibration/measure.ts";
import { builtInPairs, pairsFromFile } from "../calibration/pairs.ts";
import { formatTable, REPORT_HEADER, reportRow } from "../calibration/report.ts";
import { benchSettings, memoised, SWEEP_THRESHOLDS } from "../calibration/settings.ts";
import { DEFAULTS } from "../config.ts";
import { CliError, CliUsageError } from "./options.ts";

export const CALIBRATE_HELP = `Usage: ecoai calibrate (--embed-fn MODULE | --embedder local|lexical|openai) [options]

Runs the semantic-quality benchmark with your embeddings and prints, for plain thresholds, with
the guards, and with each guard turned off, the hit rate, the precision, the wrong answers per
query (95% interval) and the recall on true repeats, in two protocols: each labelled pair alone,
and one cache populated with the first question of every pair. Pick the threshold whose wrong
answers you can accept and pass it as semantic: { threshold }.

Calls go through EcoAI and the openai SDK to a local simulator: only your embeddings cost
anything (each distinct question is embedded once).

Options:
  --embed-fn MODULE     A module whose default export (or "embedFn" export) is your embedFn:
                        (text) => Promise<number[] | Float32Array>
  --embedder NAME       local (needs @energetic-ai/*), lexical, or openai (OPENAI_API_KEY;
                        model from --model, default ${DEFAULTS.embeddingModel})
  --model NAME          Embedding model name for --embedder openai
  --data PATH           Labelled pairs instead of the built-in set: Quora Question Pairs TSV,
                        PAWS or MRPC TSV, or JSON lines of { "a", "b", "duplicate" }
  --limit N             Use the first N pairs
  --threshold T         The threshold the per-guard rows use (default: the embedder's default)
  -h, --help            Show this help`;

export async function runCalibrate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "embed-fn": { type: "string" },
      embedder: { type: "string" },
      model: { type: "string" },
      data: { type: "string" },
      limit: { type: "string" },
      threshold: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(CALIBRATE_HELP);
    return 0;
  }
  if ((values["embed-fn"] === undefined) === (values.embedder === undefined)) throw new CliUsageError("pass one of --embed-fn MODULE or --embedder local|lexical|openai");
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new CliUsageError(`--limit must be a whole number ≥ 1, got ${values.limit}`);
  const { name, embed, threshold: defaultThreshold } = await chooseEmbedder(values["embed-fn"], values.embedder, values.model);
  const threshold = values.threshold === undefined ? defaultThreshold : Number(values.threshold);
  if (!(threshold >= 0 && threshold <= 1)) throw new CliUsageError(`--threshold must be between 0 and 1, got ${values.threshold}`);

  const pairs = (values.data ? readPairs(values.data) : builtInPairs()).slice(0, limit);
  let embedded = 0;
  const counted = memoised(async (text) => {
    embedded++;
    return embed(text);
  });
  const base = { embedFn: counted, embeddingModel: `calibrate-${name}` };
  const settings = benchSettings(base, threshold, [...new Set([...SWEEP_THRESHOLDS, threshold])].sort());
  console.log(`Calibrating ${name} on ${values.data ?? "the built-in labelled set"}: ${pairs.length} pairs.\n`);
  const bench = await startBench();
  try {
    for (const [protocol, measure] of [["each pair alone", measureAlone], ["populated cache", measurePopulated]] as const) {
      const rows: string[][] = [];
      for (const setting of settings) rows.push(reportRow(setting.label, await measure(bench, pairs, setting.semantic)));
      console.log(`${name}, ${protocol}:\n\n${formatTable(REPORT_HEADER, rows)}\n`);
    }
  } finally {
    await bench.close();
  }
  console.log(`${embedded} distinct questions embedded.`);
  return 0;
}

async function chooseEmbedder(module: string | undefined, embedder: string | undefined, model: string | undefined): Promise<{ name: string; embed: (text: string) => Promise<ArrayLike<number>>; threshold: number }> {
  if (module !== undefined) return { name: module, embed: await importEmbedFn(module), threshold: DEFAULTS.semanticThreshold };
  if (embedder === "local") return { name: "local", embed: createLocalEmbedder(), threshold: DEFAULTS.semanticThresholdByEmbedder.local! };
  if (embedder === "lexical") return { name: "lexical", embed: createLexicalEmbedder(), threshold: DEFAULTS.semanticThresholdByEmbedder.lexical! };
  if (embedder === "openai") return { name: `openai ${model ?? DEFAULTS.embeddingModel}`, embed: await openaiEmbedFn(model ?? DEFAULTS.embeddingModel), threshold: DEFAULTS.semanticThreshold };
  throw new CliUsageError(`--embedder must be local, lexical or openai, got ${embedder}`);
}

async function importEmbedFn(module: string): Promise<(text: string) => Promise<ArrayLike<number>>> {
  const path = isAbsolute(module) ? module : resolve(module);
  let loaded: { default?: unknown; embedFn?: unknown };
  try {
    loaded = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new CliError(`cannot import ${path}: ${(error as Error).message}`);
  }
  const embedFn = typeof loaded.default === "function" ? loaded.default : loaded.embedFn;
  if (typeof embedFn !== "function") throw new CliError(`${path} exports no function: export default (or export const embedFn =) an async (text) => number[]`);
  return embedFn as (text: string) => Promise<ArrayLike<number>>;
}

async function openaiEmbedFn(model: string): Promise<(text: string) => Promise<number[]>> {
  if (!process.env.OPENAI_API_KEY) throw new CliError("--embedder openai needs OPENAI_API_KEY in the environment");
  const openaiName: string = "openai";
  const { default: OpenAI } = (await import(openaiName)) as { default: new () => { embeddings: { create(body: object): Promise<{ data: { embedding: number[] }[] }> } } };
  const client = new OpenAI();
  return async (text) => (await client.embeddings.create({ model, input: text })).data[0]!.embedding;
}

function readPairs(path: string) {
  try {
    return pairsFromFile(path);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}
