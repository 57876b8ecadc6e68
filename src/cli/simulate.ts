import { parseArgs } from "node:util";
import type { Simulator } from "../simulator/index.ts";
import { CliUsageError, parsePort } from "./options.ts";

export const SIMULATE_HELP = `Usage: ecoai simulate [options]

Serves ecoai's local simulator of the OpenAI, Anthropic and Gemini APIs: their wire formats
(JSON, streams, image edits, embeddings), deterministic answers, any API key accepted. Point an
SDK at it to try ecoai with no key and no network; it prints the base URL for each SDK.
Stop it with Ctrl+C.

Options:
  --port N           Port, 0 for any free one (default: 0)
  --host H           Address to bind (default: 127.0.0.1)
  --delay-ms N       Milliseconds each answer waits, like a model thinking (default: 0)
  --chunk-gap-ms N   Milliseconds between the events of a streamed answer (default: 0)
  --json             Print the URLs as one line of JSON (for scripts)
  -h, --help         Show this help`;

/** How each SDK is pointed at the simulator, as code to paste. */
export function sdkSnippets(sim: Pick<Simulator, "openaiBaseURL" | "anthropicBaseURL" | "geminiBaseURL">): [sdk: string, code: string][] {
  return [
    ["openai", `new OpenAI({ baseURL: "${sim.openaiBaseURL}", apiKey: "sk-offline" })`],
    ["@anthropic-ai/sdk", `new Anthropic({ baseURL: "${sim.anthropicBaseURL}", apiKey: "offline" })`],
    ["@google/genai", `new GoogleGenAI({ apiKey: "offline", httpOptions: { baseUrl: "${sim.geminiBaseURL}" } })`],
    ["@google/generative-ai", `new GoogleGenerativeAI("offline").getGenerativeModel({ model: "gemini-2.5-flash" }, { baseUrl: "${sim.geminiBaseURL}" })`],
  ];
}

export async function runSimulate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "delay-ms": { type: "string" },
      "chunk-gap-ms": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(SIMULATE_HELP);
    return 0;
  }
  const port = values.port === undefined ? 0 : parsePort(values.port, "--port");
  const host = values.host ?? "127.0.0.1";
  if (host.trim() === "") throw new CliUsageError("--host must not be empty");
  const delayMs = milliseconds(values["delay-ms"], "--delay-ms");
  const chunkGapMs = milliseconds(values["chunk-gap-ms"], "--chunk-gap-ms");

  const { startSimulator } = await import("../simulator/index.ts");
  let sim: Simulator;
  try {
    sim = await startSimulator({ port, host, delayMs, chunkGapMs });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      console.error(`ecoai simulate: port ${port} is already in use; pass --port with another one (or 0 for any free port).`);
      return 1;
    }
    throw error;
  }
  // Listening for Ctrl+C before saying it is ready, so a stop right after the URLs is a clean one.
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  const { url, openaiBaseURL, anthropicBaseURL, geminiBaseURL } = sim;
  if (values.json) {
    console.log(JSON.stringify({ url, openaiBaseURL, anthropicBaseURL, geminiBaseURL }));
  } else {
    const snippets = sdkSnippets(sim);
    const width = Math.max(...snippets.map(([sdk]) => sdk.length));
    console.log(`ecoai simulate: ${url} (OpenAI, Anthropic and Gemini APIs, offline; any API key works)\n`);
    console.log("Point each SDK at it, then wrap the client in EcoAI as usual:");
    for (const [sdk, code] of snippets) console.log(`  ${sdk.padEnd(width)}  ${code}`);
    console.log(`\nOr set OPENAI_BASE_URL=${openaiBaseURL} and ANTHROPIC_BASE_URL=${anthropicBaseURL} for code that makes its own clients.`);
    console.log("Press Ctrl+C to stop.");
  }

  await stopped;
  await sim.close();
  return 0;
}

/** A whole number of milliseconds given as `flag`; 0 when not given. */
function milliseconds(value: string | undefined, flag: string): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value.trim())) throw new CliUsageError(`${flag} must be a whole number of milliseconds, got ${JSON.stringify(value)}`);
  return Number(value);
}
