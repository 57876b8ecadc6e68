import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDashboardApp } from "../../src/dashboard/app.ts";
import { CONTENT_SECURITY_POLICY } from "../../src/dashboard/security.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";
import { getJson, ORIGIN, put } from "./request.ts";

const ctx = useUpstream();
const settingsPath = join(ctx.dir, "settings.json");
const app = await createDashboardApp({ dbPath: join(ctx.dir, "usage.db"), settingsPath });
afterAll(() => app.close());

const raw = (path: string, init?: RequestInit) => app.handle(new Request(`${ORIGIN}${path}`, init));

describe("settings API", () => {
  test("GET answers the defaults before the file exists", async () => {
    const { status, body } = await getJson(app, "/api/settings");
    expect(status).toBe(200);
    expect(body).toMatchObject({ path: settingsPath, settings: {}, defaults: { cachingEnabled: true, semanticEnabled: false, semanticThreshold: 0.95, mode: "dev", ttl: 3600 } });
    // What wins over the file, and which of those this dashboard's environment sets (none here).
    expect(body.variables).toEqual({
      cachingEnabled: "ECOAI_CACHING_ENABLED", mode: "ECOAI_MODE", ttl: "ECOAI_TTL",
      gridIntensityGPerKwh: "ECOAI_GRID_INTENSITY", gridRegion: "ECOAI_GRID_REGION", embodiedEmissions: "ECOAI_EMBODIED_EMISSIONS",
    });
    expect(body.environment).toEqual({});
    // The grid new rows are computed with, and that nothing set it.
    expect(body.grid).toMatchObject({ gPerKwh: 473.01, basis: "world-average", setBy: "default", defaultGPerKwh: 473.01 });
  });

  test("GET names the environment variables set where the dashboard runs, which an app started alike obeys over the file", async () => {
    const { getSettings } = await import("../../src/dashboard/settings-api.ts");
    const body = await getSettings(settingsPath, undefined, { ECOAI_MODE: "prod", ECOAI_TTL: "", PATH: "/bin" }).json();
    expect(body.environment).toEqual({ mode: { variable: "ECOAI_MODE", value: "prod" } });
    const grid = await getSettings(settingsPath, undefined, { ECOAI_GRID_REGION: "fra" }).json();
    expect(grid.grid).toMatchObject({ gPerKwh: 44.18, region: "FRA", setBy: { option: "gridRegion", source: "environment variable ECOAI_GRID_REGION" } });
  });

  test("PUT validates every field, names each bad one, and writes nothing unless all are valid", async () => {
    const bad = await put(app, "/api/settings", { mode: "staging", ttl: -1, semanticThreshold: 2, cachingEnabled: "yes", colour: "green" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({
      mode: 'Expected "dev" or "prod".',
      ttl: "Expected a number of seconds ≥ 0.",
      semanticThreshold: "Expected a number from 0 to 1.",
      cachingEnabled: "Expected true or false.",
      colour: "Unknown setting; expected one of cachingEnabled, semanticEnabled, semanticThreshold, mode, ttl, gridIntensityGPerKwh, gridRegion, embodiedEmissions.",
    });
    expect((await put(app, "/api/settings", { ttl: "600" })).body.errors).toEqual({ ttl: "Expected a number of seconds ≥ 0." });
    expect(existsSync(settingsPath)).toBe(false);

    const good = await put(app, "/api/settings", { mode: "prod", ttl: 600 });
    expect(good.status).toBe(200);
    expect(good.body.settings).toEqual({ mode: "prod", ttl: 600 });
    expect(JSON.parse(readFileSync(settingsPath, "utf8"))).toEqual({ mode: "prod", ttl: 600 });
    // null removes a setting, so its default applies again; the rest is kept.
    expect((await put(app, "/api/settings", { ttl: null })).body.settings).toEqual({ mode: "prod" });
    expect(JSON.parse(readFileSync(settingsPath, "utf8"))).toEqual({ mode: "prod" });
  });

  test("names every object has (constructor, toString, __proto__) are unknown settings, never written", async () => {
    writeFileSync(settingsPath, '{"mode":"dev"}\n');
    for (const field of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
      const { status, body } = await put(app, "/api/settings", `{"${field}": 1}`);
      expect(`${field}: ${status}`).toBe(`${field}: 400`);
      expect(Object.entries(body.errors)).toEqual([[field, expect.stringMatching(/^Unknown setting/)]]);
    }
    expect(readFileSync(settingsPath, "utf8")).toBe('{"mode":"dev"}\n');
    writeFileSync(settingsPath, '{"toString": "x"}\n');
    expect((await getJson(app, "/api/settings")).body.error).toContain("Invalid toString");
    rmSync(settingsPath);
  });

  test("bodies that are not a JSON object are refused", async () => {
    for (const body of ["{not json", "[1,2]", '"prod"', "null"]) {
      const { status, body: answer } = await put(app, "/api/settings", body);
      expect(status).toBe(400);
      expect(answer.error).toMatch(/not valid JSON|Expected a JSON object/);
    }
    expect((await put(app, "/api/settings", { mode: "x".repeat(20_000) })).status).toBe(413);
  });

  test("a write from another origin, without an origin, or not as JSON is refused and the file is unchanged", async () => {
    writeFileSync(settingsPath, '{"mode":"dev"}\n');
    const cases: [Record<string, string>, number, string][] = [
      [{ origin: "http://evil.example", "sec-fetch-site": "cross-site" }, 403, "another site"],
      [{ origin: "http://evil.example", "sec-fetch-site": "" }, 403, "origin http://evil.example is not this dashboard"],
      [{ origin: "http://127.0.0.1:9999", "sec-fetch-site": "same-site" }, 403, "another site"],
      [{ origin: "", "sec-fetch-site": "" }, 403, "must come from the dashboard page"],
      [{ "content-type": "text/plain" }, 415, "Content-Type: application/json"],
      [{ "content-type": "application/x-www-form-urlencoded" }, 415, "Content-Type: application/json"],
    ];
    for (const [headers, status, words] of cases) {
      const init = { method: "PUT", body: JSON.stringify({ mode: "prod" }), headers: { "content-type": "application/json", origin: ORIGIN, "sec-fetch-site": "same-origin", ...headers } };
      for (const [name, value] of Object.entries(init.headers)) if (value === "") delete (init.headers as Record<string, string>)[name];
      const response = await raw("/api/settings", init);
      expect(response.status).toBe(status);
      expect((await response.json()).error).toContain(words);
    }
    expect(readFileSync(settingsPath, "utf8")).toBe('{"mode":"dev"}\n');
    // The same write from the dashboard's own page goes through.
    expect((await put(app, "/api/settings", { mode: "prod" }, { "sec-fetch-site": "" })).status).toBe(200);
  });

  test("a running EcoAI picks up a setting saved through the dashboard", async () => {
    const eco = ctx.eco({ settingsPath });
    await put(app, "/api/settings", { cachingEnabled: true, mode: null });
    await eco.chat.completions.create(ask("Live settings?"));
    await eco.chat.completions.create(ask("Live settings?"));
    expect(ctx.sim.count(CHAT_ROUTE)).toBe(1);
    expect((await put(app, "/api/settings", { cachingEnabled: false })).status).toBe(200);
    await Bun.sleep(600);
    await eco.chat.completions.create(ask("Live settings?"));
    expect(ctx.sim.count(CHAT_ROUTE)).toBe(2);
  });
});

describe("headers, static files, hosts", () => {
  test("every answer carries a strict CSP and nosniff, pages and API alike", async () => {
    for (const path of ["/", "/prompts", "/settings", "/api/summary", "/assets/style.css", "/nope", "/vendor/chart.js"]) {
      const response = await raw(path);
      expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
  });

  test("pages, assets and the chart library are served from local files", async () => {
    const page = await raw("/");
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain('<script src="/vendor/chart.js"');
    expect(html).not.toMatch(/<script>|<style>|style="|https?:\/\//);
    const css = await raw("/assets/style.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const chart = await raw("/vendor/chart.js");
    expect(chart.status).toBe(200);
    expect(await chart.text()).toContain("Chart.js");
  });

  test("no path leaves the dashboard folder", async () => {
    for (const path of [
      "/assets/../package.json",
      "/assets/%2e%2e/package.json",
      "/assets/%2e%2e%2fpackage.json",
      "/assets/..%2F..%2Fpackage.json",
      "/assets/%2e%2e%5cpackage.json",
      "/assets/..%5C..%5Csrc%5Cindex.ts",
      "/assets/%2Fetc%2Fpasswd",
      "/assets/%252e%252e%252fpackage.json",
      "/assets/style.css%00.js",
      "/assets/",
      "/assets/index.html/../../src/index.ts",
    ]) {
      const response = await raw(path);
      expect(response.status).toBe(404);
      const text = await response.text();
      expect(text).not.toContain('"name": "ecoai"');
      expect(text).not.toContain("root:");
    }
  });

  test("requests addressed to another host name are refused on a loopback dashboard", async () => {
    const response = await app.handle(new Request("http://attacker.example:7315/api/summary"));
    expect(response.status).toBe(421);
    expect((await app.handle(new Request("http://localhost:7315/api/summary"))).status).toBe(200);
    // Host names that only look like loopback addresses can be pointed anywhere by their owner.
    for (const host of ["127.attacker.example", "127.0.0.1.nip.io", "localhost.attacker.example"]) {
      expect((await app.handle(new Request(`http://${host}:7315/api/summary`))).status).toBe(421);
    }
    for (const host of ["127.0.0.2", "[::1]", "app.localhost"]) {
      expect((await app.handle(new Request(`http://${host}:7315/api/summary`))).status).toBe(200);
    }
    const open = await createDashboardApp({ dbPath: join(ctx.dir, "usage.db"), settingsPath, host: "0.0.0.0" });
    const withToken = { authorization: `Bearer ${open.token}` };
    expect((await open.handle(new Request("http://my-server.lan:7315/api/summary", { headers: withToken }))).status).toBe(200);
    open.close();
  });

  test("the Host header decides, not the URL a server built from the request target", async () => {
    // A rebinding page controls the Host header; an absolute-form or `//` target can put any name in the URL.
    const cases: [string, string, number][] = [
      ["http://localhost:7315/api/summary", "attacker.example", 421],
      ["http://127.0.0.1:7315//localhost/api/summary", "attacker.example:7315", 421],
      ["http://localhost:7315/api/prompts", "127.0.0.1.nip.io:7315", 421],
      ["http://localhost:7315/api/summary", "localhost:7315", 200],
      ["http://127.0.0.1:7315/api/summary", "[::1]:7315", 200],
      ["http://127.0.0.1:7315/api/summary", "app.localhost", 200],
    ];
    for (const [url, host, status] of cases) {
      const response = await app.handle(new Request(url, { headers: { host } }));
      expect(`${host} ${url} → ${response.status}`).toBe(`${host} ${url} → ${status}`);
      if (status !== 200) expect(await response.text()).not.toContain("totalCalls");
    }
  });

  test("a malformed Host header is a plain 400", async () => {
    for (const host of ["a b", "[::1", "localhost/x", "", "user@localhost", "localhost:7315:1", "localhost:123456"]) {
      const response = await app.handle(new Request(`${ORIGIN}/api/summary`, { headers: { host } }));
      expect(`${JSON.stringify(host)} → ${response.status}`).toBe(`${JSON.stringify(host)} → 400`);
      expect(response.headers.get("content-type")).toStartWith("text/plain");
      expect(await response.text()).toBe("Bad request: malformed Host header.");
    }
  });

  test("a failure inside the dashboard answers 500 with nothing of the machine: no message, stack or path", async () => {
    const dbPath = join(ctx.dir, "closed-usage.db");
    const closed = await createDashboardApp({ dbPath, settingsPath });
    closed.close();
    const quiet = console.error;
    const logged: string[] = [];
    console.error = (...args: unknown[]) => void logged.push(args.join(" "));
    try {
      for (const path of ["/api/summary", "/api/overview", "/api/prompts"]) {
        const response = await closed.handle(new Request(`${ORIGIN}${path}`));
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({ error: "Internal error: the dashboard could not answer this request; its terminal says why." });
      }
    } finally {
      console.error = quiet;
    }
    // The operator learns the cause in the terminal.
    expect(logged.length).toBe(3);
    expect(logged[0]).toStartWith("ecoai dashboard: ");
  });
});

describe("static files", () => {
  test("a symbolic link inside the dashboard folder is never followed", async () => {
    const root = join(ctx.dir, "pages");
    const outside = join(ctx.dir, "outside");
    mkdirSync(join(root, "real"), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, "secret.css"), "secret { content: 'private' }");
    writeFileSync(join(outside, "index.html"), "<p>private</p>");
    writeFileSync(join(root, "style.css"), "body {}");
    writeFileSync(join(root, "real", "nested.css"), "p {}");
    symlinkSync(join(outside, "secret.css"), join(root, "leak.css"));
    symlinkSync(outside, join(root, "linked"));
    symlinkSync(join(outside, "index.html"), join(root, "index.html"));
    symlinkSync("style.css", join(root, "alias.css"));
    const pages = await createDashboardApp({ dbPath: join(ctx.dir, "usage.db"), settingsPath, root });
    try {
      expect((await pages.handle(new Request(`${ORIGIN}/assets/style.css`))).status).toBe(200);
      expect((await pages.handle(new Request(`${ORIGIN}/assets/real/nested.css`))).status).toBe(200);
      // A link pointing outside, a linked folder, a page that is a link, and even a link to a file inside.
      for (const path of ["/assets/leak.css", "/assets/linked/secret.css", "/assets/linked%2Fsecret.css", "/", "/assets/index.html", "/assets/alias.css"]) {
        const response = await pages.handle(new Request(`${ORIGIN}${path}`));
        expect(`${path} → ${response.status}`).toBe(`${path} → 404`);
        expect(await response.text()).not.toContain("private");
      }
    } finally {
      pages.close();
    }
  });
});
