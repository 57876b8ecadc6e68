/**
 * The "Try it offline" example of each framework page (`docs/ai-sdk.md`, `docs/langchain.md`),
 * run as a user would run it (importing `ecoai/ai-sdk`, `ecoai/langchain` and `ecoai/simulator`
 * by name) in a fresh folder, printing what the page shows.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runOk } from "../package/pack.ts";
import { codeBlocks, expectAsShown, shown } from "../package/readme.ts";
import { tempDir } from "../temp.ts";

/** Inside the package, so that `ecoai/…` resolves to it by name, as from an app that installed it. */
const EXAMPLES = join(ROOT, "test-artifacts", `framework-examples-${process.pid}`);
mkdirSync(EXAMPLES, { recursive: true });
afterAll(() => rmSync(EXAMPLES, { recursive: true, force: true }));

for (const page of ["ai-sdk", "langchain"]) {
  test(`docs/${page}.md: the offline example prints what the page shows`, async () => {
    const text = readFileSync(join(ROOT, "docs", `${page}.md`), "utf8");
    const section = text.slice(text.indexOf("## Try it offline"));
    const script = join(EXAMPLES, `${page}.ts`);
    writeFileSync(script, codeBlocks(section, "ts")[0]!);
    const { stdout } = await runOk([process.execPath, script], { cwd: tempDir() });
    expectAsShown(stdout, shown(section, "bun example.ts"));
    expect(stdout).toContain("requests that reached the provider:");
  }, 60_000);
}
