import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createDashboardApp } from "../../src/dashboard/app.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";
import { getJson, ORIGIN } from "./request.ts";

const up = useUpstream();
const apps: { close(): unknown }[] = [];
afterAll(() => Promise.all(apps.map((app) => app.close())));

function post(app: { handle(request: Request): Promise<Response> }, path: string, headers: Record<string, string>) {
  return app.handle(new Request(`${ORIGIN}${path}`, { method: "POST", headers, body: "{}" }));
}

test("a semantic hit's detail shows the stored prompt that answered, its score and the cached response; invalidating it makes the next call a miss", async () => {
  const dir = join(up.dir, "semantic");
  const eco = up.eco({ sqlitePath: join(dir, "cache.db"), logPath: join(dir, "usage.db"), semantic: { threshold: 0.9 }, namespace: "tenant-9" });
  await eco.chat.completions.create(ask("What is the capital of France?"));
  const answer = await eco.chat.completions.create(ask("What is the capital city of France?"));
  const [semanticHit, miss] = await eco.history({ limit: 2 });
  expect(semanticHit).toMatchObject({ semanticHit: true, matchedPrompt: "What is the capital of France?", namespace: "tenant-9", cacheKey: miss!.cacheKey });
  expect(semanticHit!.semanticScore).toBeGreaterThan(0.9);
  expect(semanticHit!.semanticScore).toBeLessThan(1);

  const app = await createDashboardApp({ dbPath: join(dir, "usage.db"), settingsPath: join(dir, "settings.json") });
  apps.push(app);
  const detail = (await getJson(app, `/api/requests/${semanticHit!.id}`)).body;
  expect(detail.record).toMatchObject({ id: semanticHit!.id, matchedPrompt: "What is the capital of France?", semanticScore: semanticHit!.semanticScore });
  expect(detail.cache).toEqual({ storage: "sqlite", location: join(dir, "cache.db"), available: true });
  expect(detail.entry.prompt).toBe("What is the capital of France?");
  expect(JSON.parse(detail.entry.body).choices[0].message.content).toBe(answer.choices[0]!.message.content);

  // From another site, or not as JSON: refused, and the entry stays.
  for (const headers of <Record<string, string>[]>[
    { "content-type": "application/json", origin: "http://evil.example", "sec-fetch-site": "cross-site" },
    { "content-type": "text/plain", origin: ORIGIN, "sec-fetch-site": "same-origin" },
    { "content-type": "application/json" },
  ]) {
    const refused = await post(app, `/api/requests/${semanticHit!.id}/invalidate`, headers);
    expect(refused.status).toBeOneOf([403, 415]);
  }
  expect((await getJson(app, `/api/requests/${semanticHit!.id}`)).body.entry).not.toBeNull();

  const done = await post(app, `/api/requests/${semanticHit!.id}/invalidate`, { "content-type": "application/json", origin: ORIGIN, "sec-fetch-site": "same-origin" });
  expect(done.status).toBe(200);
  expect(await done.json()).toEqual({ removed: true, key: miss!.cacheKey });
  expect((await getJson(app, `/api/requests/${semanticHit!.id}`)).body.entry).toBeNull();

  const before = up.sim.count(CHAT_ROUTE);
  await eco.chat.completions.create(ask("What is the capital of France?"));
  expect(up.sim.count(CHAT_ROUTE)).toBe(before + 1);
  expect((await eco.history({ limit: 1 }))[0]!.cacheHit).toBe(false);
});

test("without a cache to read, the detail says which one it looked for and why it cannot be read", async () => {
  const dir = join(up.dir, "elsewhere");
  const eco = up.eco({ logPath: join(dir, "usage.db") });
  await eco.chat.completions.create(ask("Where is the cache?"));
  await eco.close();
  const app = await createDashboardApp({ dbPath: join(dir, "usage.db"), settingsPath: join(dir, "settings.json") });
  apps.push(app);
  const [record] = (await getJson(app, "/api/requests?range=24h")).body.records;
  const detail = (await getJson(app, `/api/requests/${record.id}`)).body;
  expect(detail.entry).toBeNull();
  expect(detail.cache).toMatchObject({ storage: "sqlite", available: false, reason: expect.stringContaining(`no cache file at ${join(dir, "cache.db")}`) });
  const refused = await post(app, `/api/requests/${record.id}/invalidate`, { "content-type": "application/json", origin: ORIGIN, "sec-fetch-site": "same-origin" });
  expect(refused.status).toBe(409);
  expect((await refused.json()).error).toContain("--cache");
});
