/**
 * Semantic-quality benchmark: how often semantic caching serves an answer, how often that answer
 * is right, and how many queries get a wrong one, for each embedder that runs offline (the local
 * sentence-embedding model and the lexical embedder), at plain thresholds, with the guards and in
 * verified mode (`maxErrorRate`), in two protocols:
 *
 * - alone: each labelled pair in an empty cache; store the first question, ask the second.
 * - populated: one cache stores the first question of every pair, then is asked every second one.
 *
 * Everything runs through the real library: `EcoAI` wrapping the real `openai` client pointed at
 * the local simulator, with `semantic` settings as a user writes them. Each distinct question is
 * embedded once and reused across settings (a memoised `embedFn`); the default setting of the
 * local model is also run through `embedder: "local"` itself.
 *
 * Data: the project's own labelled set (src/calibration/questions.ts, MIT), or a file of public
 * pairs: `--data quora_duplicate_questions.tsv` (Quora Question Pairs), a PAWS or MRPC TSV, or
 * JSON lines of { a, b, duplicate }; `--limit N` takes the first N pairs.
 *
 * Verified mode checks the provider's answer against the stored one; the simulator's answers
 * cannot tell whether two questions mean the same, so its judge reads the labels (a perfect
 * judge). Below each table, each verified setting is set beside the best threshold setting of the
 * same run at the same share of wrong answers.
 *
 * OpenAI embeddings need a key and the network, so they are not measured here; `ecoai calibrate
 * --embedder openai` measures them with yours.
 *
 * Run: `npm run bench:semantic-quality`. Prints; asserts nothing.
 * @module
 */
import { parseArgs } from "node:util";
import { createLexicalEmbedder } from "../src/cache/lexical-embedder.ts";
import { createLocalEmbedder } from "../src/cache/local-embedder.ts";
import { DEFAULTS } from "../src/config.ts";
import { measureAlone, measurePopulated, startBench, type Protocol } from "../src/calibration/measure.ts";
import { builtInPairs, pairsFromFile, type LabelledPair } from "../src/calibration/pairs.ts";
import type { Outcome } from "../src/calibration/measure.ts";
import { formatTable, REPORT_HEADER, reportRow, verifiedNote } from "../src/calibration/report.ts";
import { benchSettings, isVerified, memoised, type BenchSetting } from "../src/calibration/settings.ts";

const { values } = parseArgs({ options: { data: { type: "string" }, limit: { type: "string" }, only: { type: "string" } } });
const all = values.data ? pairsFromFile(values.data) : builtInPairs();
const pairs: LabelledPair[] = values.limit ? all.slice(0, Number(values.limit)) : all;

const kinds = new Map<string, number>();
for (const pair of pairs) kinds.set(pair.kind, (kinds.get(pair.kind) ?? 0) + 1);
console.log(`Semantic quality on ${values.data ?? "the project's own labelled set"}: ${pairs.length} pairs (${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ")})`);
console.log(`Runtime: ${process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.versions.node}`}\n`);

const embedders: { name: string; threshold: number; embedFn: (text: string) => Promise<Float32Array>; direct?: BenchSetting }[] = [
  {
    name: "local (Universal Sentence Encoder lite)",
    threshold: DEFAULTS.semanticThresholdByEmbedder.local!,
    embedFn: memoised(createLocalEmbedder()),
    direct: { label: `embedder "local" itself, defaults`, semantic: { embedder: "local" } },
  },
  { name: "lexical", threshold: DEFAULTS.semanticThresholdByEmbedder.lexical!, embedFn: memoised(createLexicalEmbedder()), direct: { label: `embedder "lexical" itself, defaults`, semantic: { embedder: "lexical" } } },
];
const protocols: [string, Protocol][] = [
  ["each pair alone", measureAlone],
  ["populated cache", measurePopulated],
];

const bench = await startBench();
try {
  for (const embedder of embedders) {
    if (values.only && !embedder.name.startsWith(values.only)) continue;
    const base = { embedFn: embedder.embedFn, embeddingModel: `bench-${embedder.name}` };
    const settings = [...benchSettings(base, embedder.threshold), ...(embedder.direct ? [embedder.direct] : [])];
    for (const [protocol, measure] of protocols) {
      const startedAt = performance.now();
      const rows: string[][] = [];
      const outcomes: Outcome[] = [];
      for (const setting of settings) {
        const outcome = await measure(bench, pairs, setting.semantic);
        outcomes.push(outcome);
        rows.push(reportRow(setting.label, outcome));
      }
      console.log(`${embedder.name}, ${protocol} (default threshold ${embedder.threshold}; ${((performance.now() - startedAt) / 1000).toFixed(1)} s)\n`);
      console.log(`${formatTable(REPORT_HEADER, rows)}\n`);
      const plain = outcomes.filter((_, i) => settings[i]!.semantic.guards === false);
      const guarded = outcomes.filter((_, i) => settings[i]!.semantic.guards === true);
      settings.forEach((setting, i) => {
        if (isVerified(setting)) console.log(verifiedNote(setting.label, setting.semantic.maxErrorRate!, outcomes[i]!, plain, guarded));
      });
      console.log("");
    }
  }
} finally {
  await bench.close();
}
