import { afterAll, expect, test } from "bun:test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeRequestListener } from "../../src/dashboard/serve.ts";

// The Node server's bridge, run here through Bun's node:http (the same code `ecoai dashboard` runs under Node).
const seen: string[] = [];
const server = createServer(nodeRequestListener({ handle: async (request) => (seen.push(`${request.method} ${(await request.text()).length}`), new Response("ok")) }));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("a body larger than any request the dashboard takes is refused before it is held in memory", async () => {
  const small = await fetch(`${base}/api/settings`, { method: "PUT", body: "x".repeat(1000) });
  expect([small.status, await small.text()]).toEqual([200, "ok"]);
  // Any web page can send this to a local port without asking (a no-cors POST).
  const big = await fetch(`${base}/anything`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x".repeat(8 * 1024 * 1024) });
  expect(big.status).toBe(413);
  expect(seen).toEqual(["PUT 1000"]);
});
