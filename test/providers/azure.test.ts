import { describe, expect, test } from "bun:test";
import { AzureOpenAI } from "openai";
import { TEST_API_KEY, useUpstream } from "../harness.ts";

const up = useUpstream();
const ROUTE = "azure.chat.completions";

/** A real `AzureOpenAI` client whose endpoint is the simulator. */
function azure(options: { deployment?: string; apiVersion?: string } = {}): AzureOpenAI {
  return new AzureOpenAI({ endpoint: up.sim.url, apiKey: TEST_API_KEY, apiVersion: options.apiVersion ?? "2024-10-21", deployment: options.deployment, maxRetries: 0 });
}

/** The body is the same for every deployment: Azure answers with the deployment's model. */
const request = { model: "gpt-4o", messages: [{ role: "user" as const, content: "Which model are you?" }] };

describe("AzureOpenAI", () => {
  test("two deployments on one endpoint never share answers; each is answered by its own model", async () => {
    const name = `azure-${Math.random().toString(36).slice(2)}`;
    const small = up.wrap(azure({ deployment: "gpt-35-turbo" }), {}, name);
    const large = up.wrap(azure({ deployment: "gpt-4o-deployment" }), {}, name);
    const before = up.sim.count(ROUTE);
    const fromSmall = await small.chat.completions.create(request);
    const fromLarge = await large.chat.completions.create(request);
    expect(up.sim.count(ROUTE) - before).toBe(2);
    expect(fromSmall.model).toBe("gpt-35-turbo");
    expect(fromLarge.model).toBe("gpt-4o-deployment");
    expect((await small.chat.completions.create(request)).id).toBe(fromSmall.id);
    expect((await large.chat.completions.create(request)).id).toBe(fromLarge.id);
    expect(up.sim.count(ROUTE) - before).toBe(2);
    expect(up.sim.requests.at(-1)!.path).toBe("/openai/deployments/gpt-4o-deployment/chat/completions");
  });

  test("the api-version is part of the key", async () => {
    const name = `azure-version-${Math.random().toString(36).slice(2)}`;
    const before = up.sim.count(ROUTE);
    await up.wrap(azure({ deployment: "gpt-4o", apiVersion: "2024-10-21" }), {}, name).chat.completions.create(request);
    await up.wrap(azure({ deployment: "gpt-4o", apiVersion: "2025-04-01-preview" }), {}, name).chat.completions.create(request);
    await up.wrap(azure({ deployment: "gpt-4o", apiVersion: "2025-04-01-preview" }), {}, name).chat.completions.create(request);
    expect(up.sim.count(ROUTE) - before).toBe(2);
  });

  test("without a deployment the body's model picks it, and keys it as any model does", async () => {
    const eco = up.wrap(azure());
    const before = up.sim.count(ROUTE);
    const a = await eco.chat.completions.create({ ...request, model: "gpt-4o" });
    const b = await eco.chat.completions.create({ ...request, model: "gpt-4o-mini" });
    await eco.chat.completions.create({ ...request, model: "gpt-4o" });
    expect(up.sim.count(ROUTE) - before).toBe(2);
    expect([a.model, b.model]).toEqual(["gpt-4o", "gpt-4o-mini"]);
  });

  test("rotating the API key keeps the entries", async () => {
    const name = `azure-key-${Math.random().toString(36).slice(2)}`;
    const before = up.sim.count(ROUTE);
    await up.wrap(azure({ deployment: "gpt-4o" }), {}, name).chat.completions.create(request);
    const rotated = new AzureOpenAI({ endpoint: up.sim.url, apiKey: "another-azure-key", apiVersion: "2024-10-21", deployment: "gpt-4o", maxRetries: 0 });
    await up.wrap(rotated, {}, name).chat.completions.create(request);
    expect(up.sim.count(ROUTE) - before).toBe(1);
  });
});
