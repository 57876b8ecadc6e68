import { afterAll, beforeAll, expect, test } from "bun:test";
import { AzureOpenAI } from "openai";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

test("Azure mount: a deployment answers through the real AzureOpenAI client as the model it names", async () => {
  const client = new AzureOpenAI({ endpoint: sim.url, apiKey: "azure-key", apiVersion: "2024-10-21", deployment: "my-gpt-4o", maxRetries: 0 });
  const reply = await client.chat.completions.create({ model: "ignored-by-azure", messages: [{ role: "user", content: "hello" }] });
  expect(reply.model).toBe("my-gpt-4o");
  expect(reply.choices[0]!.message.content).toContain("hello");
  const sent = sim.requests.at(-1)!;
  expect([sent.route, sent.path, sent.headers["api-key"]]).toEqual(["azure.chat.completions", "/openai/deployments/my-gpt-4o/chat/completions", "azure-key"]);
});

test("Azure mount: a request without api-version is an unknown resource; one without a key is refused", async () => {
  const post = (query: string, headers: Record<string, string>) =>
    fetch(`${sim.url}/openai/deployments/d/chat/completions${query}`, { method: "POST", body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }), headers: { "content-type": "application/json", ...headers } });
  expect((await post("", { "api-key": "k" })).status).toBe(404);
  expect((await post("?api-version=2024-10-21", {})).status).toBe(401);
  expect((await post("?api-version=2024-10-21", { "api-key": "k" })).status).toBe(200);
});
