import { expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../temp.ts";

// `ecoai dashboard` must run under Node too: the same modules, bundled the way a build would,
// run by `node` with nothing Bun-only on the path. The bundle sits inside the package so the
// dashboard folder and the chart library resolve as they do for an installed package.
const ROOT = join(import.meta.dir, "..", "..");
const OUT = join(ROOT, "test-artifacts", "node-check");

test("the dashboard app answers in-process under Node", async () => {
  const dir = tempDir();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const build = await Bun.build({ entrypoints: [join(ROOT, "test", "fixtures", "dashboard-node.ts")], outdir: OUT, target: "node", format: "esm", external: ["better-sqlite3"] });
  expect(build.success).toBe(true);
  const bundle = build.outputs[0]!.path;
  expect(readFileSync(bundle, "utf8")).not.toContain('from "bun:');
  const node = Bun.spawn(["node", bundle, join(dir, "usage.db"), join(dir, "settings.json")], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(node.stdout).text(), new Response(node.stderr).text(), node.exited]);
  expect(stderr).not.toContain("Error");
  expect(code).toBe(0);
  const report = JSON.parse(stdout);
  expect(report.runtime).toBe("node");
  if (report.error) {
    // A Node without node:sqlite (before 22.5) and without better-sqlite3 installed: the only
    // acceptable failure is the shim's own clear error, raised before any request.
    expect(report.error).toBe("ECOAI_SQLITE_UNAVAILABLE");
    return;
  }
  expect(report).toMatchObject({ summary: { totalCalls: 0, hitRate: 0 }, page: [200, true, true], chart: 200, put: 200, crossOrigin: 403 });
  expect(JSON.parse(readFileSync(join(dir, "settings.json"), "utf8"))).toEqual({ ttl: 5 });
});
