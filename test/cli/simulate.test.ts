import { expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import OpenAI from "openai";
import { EcoAI } from "../../src/index.ts";
import { withoutScriptEnv } from "../package/pack.ts";
import { tempDir } from "../temp.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli", "index.ts");
const dir = tempDir();

/** Starts `ecoai simulate <args>` and waits for it to be ready; returns what it printed and the process. */
async function simulate(args: string[]) {
  const child = Bun.spawn([process.execPath, CLI, "simulate", ...args], { stdout: "pipe", stderr: "pipe", env: withoutScriptEnv() });
  const reader = child.stdout.getReader();
  let printed = "";
  while (!printed.includes("Press Ctrl+C to stop.") && !printed.includes("}\n")) {
    const chunk = await reader.read();
    if (chunk.done) break;
    printed += new TextDecoder().decode(chunk.value);
  }
  reader.releaseLock();
  return { child, printed };
}

/** The base URL printed for an SDK: the first quoted URL on its line. */
function printedURL(printed: string, sdk: string): string {
  const line = printed.split("\n").find((text) => text.trimStart().startsWith(`${sdk} `));
  return /"(http:\/\/[^"]+)"/.exec(line ?? "")![1]!;
}

test("ecoai simulate prints a base URL for each SDK; each SDK wrapped in EcoAI works against it, the second call a hit", async () => {
  const { child, printed } = await simulate(["--port", "0"]);
  try {
    const origin = /^ecoai simulate: (http:\/\/127\.0\.0\.1:\d+) /.exec(printed)![1]!;
    const files = (name: string) => ({ sqlitePath: join(dir, `${name}-cache.db`), logPath: join(dir, `${name}-usage.db`), settingsPath: join(dir, "settings.json") });
    const question = "Hello from the simulate command";
    const openai = new EcoAI({ client: new OpenAI({ baseURL: printedURL(printed, "openai"), apiKey: "sk-offline" }), ...files("openai") });
    const claude = new EcoAI({ client: new Anthropic({ baseURL: printedURL(printed, "@anthropic-ai/sdk"), apiKey: "offline" }), ...files("anthropic") });
    const genai = new EcoAI({ client: new GoogleGenAI({ apiKey: "offline", httpOptions: { baseUrl: printedURL(printed, "@google/genai") } }), ...files("genai") });
    const model = new GoogleGenerativeAI("offline").getGenerativeModel({ model: "gemini-2.5-flash" }, { baseUrl: printedURL(printed, "@google/generative-ai") });
    const gemini = new EcoAI({ client: model, ...files("gemini") });
    expect(printedURL(printed, "openai")).toBe(`${origin}/v1`);
    const asks: [{ history: EcoAI["history"]; close(): Promise<void> }, () => Promise<unknown>][] = [
      [openai, () => openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: question }] })],
      [claude, () => claude.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: question }] })],
      [genai, () => genai.models.generateContent({ model: "gemini-2.5-flash", contents: question })],
      [gemini, () => gemini.generateContent(question)],
    ];
    for (const [eco, ask] of asks) {
      await ask();
      await ask();
      expect((await eco.history()).map((record) => record.cacheHit)).toEqual([true, false]);
      await eco.close();
    }
  } finally {
    child.kill("SIGINT");
  }
  // Ctrl+C stops it cleanly.
  expect(await child.exited).toBe(0);
});

test("--json prints the URLs as one line; a busy port is one clear line", async () => {
  const { child, printed } = await simulate(["--json"]);
  const urls = JSON.parse(printed) as Record<string, string>;
  expect(Object.keys(urls).sort()).toEqual(["anthropicBaseURL", "geminiBaseURL", "openaiBaseURL", "url"]);
  expect(urls.anthropicBaseURL).toBe(`${urls.url}/anthropic`);
  child.kill("SIGTERM");
  expect(await child.exited).toBe(0);

  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  const port = (busy.address() as AddressInfo).port;
  const taken = Bun.spawn([process.execPath, CLI, "simulate", "--port", String(port)], { stdout: "pipe", stderr: "pipe", env: withoutScriptEnv() });
  const [stderr, code] = await Promise.all([new Response(taken.stderr).text(), taken.exited]);
  busy.close();
  expect(code).toBe(1);
  expect(stderr).toBe(`ecoai simulate: port ${port} is already in use; pass --port with another one (or 0 for any free port).\n`);
});
