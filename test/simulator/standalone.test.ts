import { afterAll, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import OpenAI from "openai";

const children: ChildProcess[] = [];
const temp = mkdtempSync(join(tmpdir(), "ecoai-simulator-"));
afterAll(() => {
  for (const child of children) child.kill();
  rmSync(temp, { recursive: true, force: true });
});

/** Start `command`, return the JSON of its first stdout line. */
async function firstLine(command: string, args: string[]): Promise<{ url: string; openaiBaseURL: string }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) return JSON.parse(line) as { url: string; openaiBaseURL: string };
  throw new Error(`${command} exited before printing its URL`);
}

async function roundTrip(baseURL: string): Promise<void> {
  const client = new OpenAI({ baseURL, apiKey: "sk-test-standalone" });
  const params = { model: "gpt-4o", messages: [{ role: "user" as const, content: "Hello from another process" }] };
  const whole = await client.chat.completions.create(params);
  let streamed = "";
  for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) streamed += chunk.choices[0]?.delta.content ?? "";
  expect(streamed).toBe(whole.choices[0]?.message.content ?? "");
  expect((await client.embeddings.create({ model: "text-embedding-3-small", input: "x" })).data[0]?.embedding).toHaveLength(1536);
}

const CLI = join(import.meta.dir, "../../src/cli/index.ts");

test("`ecoai simulate --json` runs it as its own process and prints its URLs", async () => {
  const info = await firstLine(process.execPath, [CLI, "simulate", "--json"]);
  expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(info.openaiBaseURL).toBe(`${info.url}/v1`);
  await roundTrip(info.openaiBaseURL);
});

const hasNode = spawnSync("node", ["--version"]).status === 0;

// Skipped only where no `node` binary is installed; the simulator must not depend on Bun APIs.
test.skipIf(!hasNode)("the simulator runs under Node", async () => {
  const built = await Bun.build({ entrypoints: [CLI], target: "node", outdir: temp });
  expect(built.success).toBe(true);
  const info = await firstLine("node", [built.outputs[0]!.path, "simulate", "--json"]);
  await roundTrip(info.openaiBaseURL);
});
