/**
 * The dashboard as `ecoai dashboard` serves it, under Node (what `npx ecoai dashboard` runs) and
 * under Bun, asked over raw TCP what no browser's `fetch` would send: forged and malformed `Host`
 * headers, absolute-form and `//` request targets, bodies too large to take.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../temp.ts";
import { rawRequest, type RawAnswer } from "./raw-http.ts";
import { seedUsageLog } from "./seed.ts";
import { ecoaiCommand, startDashboard, type Runtime, type StartedDashboard } from "./start.ts";

const ROOT = join(import.meta.dir, "..", "..");
const SECRET = "The merger with Initech closes on Friday";
const START_TIMEOUT_MS = 60_000;

/** What no refusal may carry: usage data, or anything of the machine (stack frames, paths). */
function expectNothingLeaked(answer: RawAnswer, dir: string): void {
  expect(answer.body).not.toContain(SECRET);
  expect(answer.body).not.toContain("totalCalls");
  expect(answer.body).not.toContain(dir);
  expect(answer.body).not.toContain(ROOT);
  expect(answer.body).not.toMatch(/\bat .+:\d+:\d+/);
}

for (const runtime of ["node", "bun"] as const satisfies Runtime[]) {
  describe(`ecoai dashboard under ${runtime === "node" ? "Node" : "Bun"}`, () => {
    const dir = tempDir();
    const db = join(dir, "usage.db");
    const settings = join(dir, "settings.json");
    let local: StartedDashboard;
    let open: StartedDashboard;

    beforeAll(async () => {
      seedUsageLog(db, [{ prompt: SECRET }, { prompt: SECRET, cacheHit: true }]);
      [local, open] = await Promise.all([
        startDashboard(runtime, ["--db", db, "--settings", settings], dir),
        startDashboard(runtime, ["--db", db, "--settings", settings, "--host", "0.0.0.0"], dir),
      ]);
    }, START_TIMEOUT_MS);
    afterAll(async () => {
      await Promise.all([local?.stop(), open?.stop()]);
    });

    test("a request whose Host is another name is refused, whatever its request target says", async () => {
      const port = local.port;
      const forged = [
        `GET /api/summary HTTP/1.1\r\nHost: attacker.example`,
        `GET //localhost/api/summary HTTP/1.1\r\nHost: attacker.example`,
        `GET //localhost:${port}/api/prompts HTTP/1.1\r\nHost: attacker.example:${port}`,
        `GET http://localhost:${port}/api/summary HTTP/1.1\r\nHost: attacker.example`,
        `GET http://127.0.0.1:${port}/api/history HTTP/1.1\r\nHost: 127.0.0.1.nip.io:${port}`,
        `GET / HTTP/1.1\r\nHost: localhost.attacker.example:${port}`,
      ];
      for (const head of forged) {
        const answer = await rawRequest(port, head);
        expect(`${head.split("\r\n").join(" | ")} → ${answer.status}`).toEndWith("→ 421");
        expectNothingLeaked(answer, dir);
      }
      const own = await rawRequest(port, `GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1:${port}`);
      expect(own.status).toBe(200);
      expect(JSON.parse(own.body)).toMatchObject({ totalCalls: 2, cacheHits: 1 });
      expect((await rawRequest(port, `GET /api/summary HTTP/1.1\r\nHost: localhost:${port}`)).status).toBe(200);
    });

    test("a malformed Host, or none, gets a plain 400: no page, no stack, no path", async () => {
      const port = local.port;
      for (const host of ["a b", "[::1", `localhost:${port}/x`, "", "user@localhost", `localhost:${port}:1`, "local\thost", "localhost%2f"]) {
        const answer = await rawRequest(port, `GET /api/summary HTTP/1.1\r\nHost: ${host}`);
        expect(`Host: ${JSON.stringify(host)} → ${answer.status}`).toBe(`Host: ${JSON.stringify(host)} → 400`);
        expect(answer.headers["content-type"] ?? "text/plain").toStartWith("text/plain");
        expect(answer.body.length).toBeLessThan(200);
        expectNothingLeaked(answer, dir);
      }
      const none = await rawRequest(port, "GET /api/summary HTTP/1.0");
      expect(none.status).toBe(400);
      expectNothingLeaked(none, dir);
    });

    test("a body larger than any the dashboard takes is refused unread, declared or streamed", async () => {
      writeFileSync(settings, '{"mode":"dev"}\n');
      const headers = { "content-type": "application/json", origin: local.origin };
      const big = JSON.stringify({ mode: "prod", padding: "x".repeat(8 * 1024 * 1024) });
      const declared = await fetch(`${local.origin}/api/settings`, { method: "PUT", headers, body: big });
      expect(declared.status).toBe(413);
      const streamed = await fetch(`${local.origin}/api/settings`, {
        method: "PUT",
        headers,
        body: new Blob([big]).stream(),
        duplex: "half",
      } as RequestInit);
      expect(streamed.status).toBe(413);
      // Any web page may send this to a local port without asking (a no-cors POST).
      expect((await fetch(`${local.origin}/anything`, { method: "POST", headers: { "content-type": "text/plain" }, body: big })).status).toBe(413);
      expect(readFileSync(settings, "utf8")).toBe('{"mode":"dev"}\n');
      const small = await fetch(`${local.origin}/api/settings`, { method: "PUT", headers, body: '{"mode":"prod"}' });
      expect(small.status).toBe(200);
    });

    test("beyond loopback it prints an address with a token and a plain warning, and answers nothing without the token", async () => {
      expect(open.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
      expect(open.printed).toContain("anyone who can reach this address could otherwise read every prompt");
      const token = new URL(open.address).searchParams.get("token")!;
      for (const path of ["/", "/prompts", "/settings", "/assets/style.css", "/assets/overview.js", "/vendor/chart.js", "/api/summary", "/api/prompts", "/api/history", "/api/settings", "/nope"]) {
        for (const proof of ["", `?token=${token.slice(1)}x`, `\r\nCookie: ecoai_token_${open.port}=${token.toUpperCase()}`, `\r\nAuthorization: Bearer ${token}x`]) {
          const head = proof.startsWith("?") ? `GET ${path}${proof} HTTP/1.1\r\nHost: my-server.lan:${open.port}` : `GET ${path} HTTP/1.1\r\nHost: my-server.lan:${open.port}${proof}`;
          const answer = await rawRequest(open.port, head);
          expect(`${path} ${JSON.stringify(proof)} → ${answer.status}`).toEndWith("→ 401");
          expectNothingLeaked(answer, dir);
          expect(answer.body).not.toContain("<html");
        }
      }
      // Another port's cookie (another dashboard on the same machine) is not this one's.
      const other = await rawRequest(open.port, `GET /api/summary HTTP/1.1\r\nHost: my-server.lan:${open.port}\r\nCookie: ecoai_token_${open.port + 1}=${token}`);
      expect(other.status).toBe(401);
    });

    test("with the token: the printed address sets the cookie, which then opens pages, assets and the API", async () => {
      const first = await fetch(open.address, { redirect: "manual" });
      expect(first.status).toBe(200);
      expect(await first.text()).toContain("<title>ecoai · Overview</title>");
      const cookie = first.headers.get("set-cookie")!;
      expect(cookie).toMatch(new RegExp(`^ecoai_token_${open.port}=[A-Za-z0-9_-]{32}; Path=/; HttpOnly; SameSite=Strict$`));
      const jar = { cookie: cookie.split(";")[0]! };
      for (const path of ["/", "/prompts", "/settings", "/assets/style.css", "/vendor/chart.js", "/api/summary", "/api/settings"]) {
        expect(`${path} → ${(await fetch(`${open.origin}${path}`, { headers: jar })).status}`).toBe(`${path} → 200`);
      }
      const prompts = await (await fetch(`${open.origin}/api/prompts`, { headers: jar })).json();
      expect(prompts.prompts[0].prompt).toBe(SECRET);
      const token = new URL(open.address).searchParams.get("token")!;
      expect((await fetch(`${open.origin}/api/summary`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    });
  });
}

describe("ecoai dashboard --token", () => {
  test("a token given is required, on loopback too; a weak one is refused before anything starts", async () => {
    const dir = tempDir();
    const db = join(dir, "usage.db");
    seedUsageLog(db, [{ prompt: SECRET }]);
    const token = "correct-horse-battery-staple-42";
    const given = await startDashboard("bun", ["--db", db, "--token", token], dir);
    try {
      expect(given.address).toBe(`${given.origin}/?token=${token}`);
      expect((await fetch(`${given.origin}/api/summary`)).status).toBe(401);
      expect((await fetch(`${given.origin}/api/summary?token=${token}`)).status).toBe(200);
    } finally {
      await given.stop();
    }
    for (const [args, env] of [[["--token", "short"], {}], [["--token", "has spaces and is long enough"], {}], [[], { ECOAI_DASHBOARD_TOKEN: "tiny" }]] as const) {
      const child = Bun.spawn([...(await ecoaiCommand("bun")), "dashboard", "--db", db, "--port", "0", "--no-browser", ...args], { cwd: dir, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
      const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/(--token|ECOAI_DASHBOARD_TOKEN) must be 16 to 256 letters, digits, '-' or '_'/);
    }
    expect(existsSync(join(dir, "settings.json"))).toBe(false);
  }, START_TIMEOUT_MS);
});
