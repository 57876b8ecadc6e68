/**
 * Run the simulator as its own process, for multi-process tests:
 * `bun src/simulator/main.ts [--port N] [--host H] [--delay-ms N] [--chunk-gap-ms N]`.
 * Prints `{"url": "...", "openaiBaseURL": "...", "anthropicBaseURL": "...", "geminiBaseURL": "..."}` as one JSON line, then serves until killed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startSimulator } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "delay-ms": { type: "string" },
    "chunk-gap-ms": { type: "string" },
  },
});

const sim = await startSimulator({
  port: values.port === undefined ? 0 : Number(values.port),
  host: values.host ?? "127.0.0.1",
  delayMs: values["delay-ms"] === undefined ? 0 : Number(values["delay-ms"]),
  chunkGapMs: values["chunk-gap-ms"] === undefined ? 0 : Number(values["chunk-gap-ms"]),
});
process.stdout.write(`${JSON.stringify({ url: sim.url, openaiBaseURL: sim.openaiBaseURL, anthropicBaseURL: sim.anthropicBaseURL, geminiBaseURL: sim.geminiBaseURL })}\n`);

const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
