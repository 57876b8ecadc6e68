import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { TOKEN_PATTERN } from "../../src/dashboard/access.ts";
import { createDashboardApp } from "../../src/dashboard/app.ts";
import { EcoAIConfigError } from "../../src/errors.ts";
import { tempDir } from "../temp.ts";
import { ORIGIN } from "./request.ts";
import { seedUsageLog } from "./seed.ts";

const dir = tempDir();
const dbPath = join(dir, "usage.db");
const settingsPath = join(dir, "settings.json");
const SECRET = "Draft the layoff announcement for the Leeds office";
seedUsageLog(dbPath, [{ prompt: SECRET }, { prompt: SECRET, cacheHit: true }]);

const open = await createDashboardApp({ dbPath, settingsPath, host: "0.0.0.0" });
const token = open.token!;
afterAll(() => open.close());

const PATHS = ["/", "/prompts", "/settings", "/assets/style.css", "/assets/common.js", "/vendor/chart.js", "/api/summary", "/api/overview", "/api/prompts", "/api/history", "/api/pricing", "/api/settings", "/nope"];
const ask = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) => open.handle(new Request(`${ORIGIN}${path}`, { ...init, headers }));

describe("beyond loopback", () => {
  test("a random token is made up, and nothing is answered without it", async () => {
    expect(token).toMatch(TOKEN_PATTERN);
    expect(token.length).toBe(32);
    const wrong: Record<string, string>[] = [{}, { cookie: `ecoai_token_7315=${token}x` }, { cookie: `ecoai_token_7316=${token}` }, { authorization: `Bearer ${token.slice(0, -1)}` }, { authorization: token }];
    for (const path of PATHS) {
      for (const headers of wrong) {
        const response = await ask(path, headers);
        expect(`${path} ${JSON.stringify(headers)} → ${response.status}`).toEndWith("→ 401");
        const body = await response.text();
        expect(body).toContain("access token");
        expect(body).not.toContain(SECRET);
        expect(body).not.toContain("totalCalls");
      }
      expect((await ask(`${path}?token=${token.toLowerCase()}`)).status).toBe(401);
    }
    const write = await ask("/api/settings", { "content-type": "application/json", origin: ORIGIN }, { method: "PUT", body: '{"mode":"prod"}' });
    expect(write.status).toBe(401);
  });

  test("the printed address's token is traded for a cookie on the first page, which then opens everything", async () => {
    const first = await ask(`/?token=${token}`);
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toBe(`ecoai_token_7315=${token}; Path=/; HttpOnly; SameSite=Strict`);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(await first.text()).toContain("<title>ecoai · Overview</title>");
    expect((await ask(`/prompts?q=leeds&token=${token}&page=2`)).headers.get("set-cookie")).toStartWith("ecoai_token_7315=");
    // Only a page sets it: an API call with the token in its query is answered, and that is all.
    expect((await ask(`/api/summary?token=${token}`)).headers.get("set-cookie")).toBeNull();
    const cookie = { cookie: `theme=dark; ecoai_token_7315=${token}` };
    for (const path of PATHS.filter((path) => path !== "/nope")) {
      const response = await ask(path, cookie);
      expect(`${path} → ${response.status}`).toBe(`${path} → 200`);
    }
    expect((await (await ask("/api/prompts", cookie)).json()).prompts[0].prompt).toBe(SECRET);
  });

  test("scripts may send the token as a Bearer header or a query parameter instead", async () => {
    expect((await ask("/api/summary", { authorization: `Bearer ${token}` })).status).toBe(200);
    const query = await ask(`/api/summary?token=${token}`);
    expect(query.status).toBe(200);
    expect((await query.json()).totalCalls).toBe(2);
  });
});

describe("a token given", () => {
  test("is required on loopback too", async () => {
    const given = "correct-horse-battery-staple-42";
    const app = await createDashboardApp({ dbPath, settingsPath, token: given });
    try {
      expect(app.token).toBe(given);
      expect((await app.handle(new Request(`${ORIGIN}/api/summary`))).status).toBe(401);
      expect((await app.handle(new Request(`${ORIGIN}/api/summary`, { headers: { authorization: `Bearer ${given}` } }))).status).toBe(200);
    } finally {
      app.close();
    }
  });

  test("too short or holding characters a URL or cookie cannot carry is refused with what is accepted", async () => {
    for (const bad of ["short", "a".repeat(15), "has spaces but long enough", "semi;colon-long-enough", "é".repeat(20)]) {
      const error = await createDashboardApp({ dbPath, settingsPath, token: bad }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EcoAIConfigError);
      expect(error).toMatchObject({ option: "token", value: bad, source: "constructor option" });
      expect((error as Error).message).toContain("16 to 256 letters, digits, '-' or '_'");
    }
  });

  test("none on loopback by default: the local dashboard opens as before", async () => {
    const app = await createDashboardApp({ dbPath, settingsPath });
    try {
      expect(app.token).toBeUndefined();
      expect((await app.handle(new Request(`${ORIGIN}/api/summary`))).status).toBe(200);
    } finally {
      app.close();
    }
  });
});
