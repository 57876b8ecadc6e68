/**
 * Every model id the installed SDKs' type definitions name is either priced or deliberately
 * listed as unpriced, and every priced one has an energy profile: a new SDK release that adds a
 * model fails here until the tables say what to do with it.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { energyProfileFor } from "../../src/usage/energy-models.ts";
import { priceFor } from "../../src/usage/pricing.ts";

const MODULES = join(import.meta.dir, "..", "..", "node_modules");

function declarationFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => {
    const child = join(path, name);
    return statSync(child).isDirectory() ? declarationFiles(child) : child.endsWith(".d.ts") ? [child] : [];
  });
}

// A union of string literals (and `(string & {})` or named types) declared as a `…Model` type or
// as a `model` property: `export type ChatModel = 'gpt-4o' | …;`, `model?: (string & {}) | 'tts-1' | …;`.
const MEMBER = String.raw`(?:'[^'\n]*'|"[^"\n]*"|\(string & \{\}\)|[A-Za-z_][\w.]*)`;
const DECLARATION = new RegExp(String.raw`^\s*(?:export\s+)?(?:declare\s+)?(?:type\s+\w*Models?(?:_\d+)?\s*=|model\??\s*:)\s*(${MEMBER}(?:\s*\|\s*${MEMBER})+)\s*;`, "gm");

function modelIds(path: string): string[] {
  const ids = new Set<string>();
  for (const file of declarationFiles(path)) {
    for (const union of readFileSync(file, "utf8").matchAll(DECLARATION)) {
      for (const literal of union[1]!.matchAll(/'([^']+)'|"([^"]+)"/g)) ids.add((literal[1] ?? literal[2])!);
    }
  }
  return [...ids].sort();
}

const SDKS = [
  { name: "openai", path: join(MODULES, "openai", "resources"), atLeast: 120 },
  { name: "@anthropic-ai/sdk", path: join(MODULES, "@anthropic-ai", "sdk", "resources"), atLeast: 15 },
  { name: "@google/genai", path: join(MODULES, "@google", "genai", "dist", "genai.d.ts"), atLeast: 25 },
];

for (const sdk of SDKS) {
  describe(`model ids named by ${sdk.name}`, () => {
    const ids = modelIds(sdk.path);

    test("are found in its type definitions", () => {
      expect(ids.length).toBeGreaterThanOrEqual(sdk.atLeast);
    });

    test("are each priced or listed as unpriced with a reason", () => {
      const silent = ids.filter((id) => {
        const price = priceFor(id, { at: "2026-11-29" });
        return !price.priced && price.key === null;
      });
      expect(silent).toEqual([]);
    });

    test("that are priced each have an energy profile", () => {
      const unprofiled = ids.filter((id) => priceFor(id, { at: "2026-11-29" }).priced && energyProfileFor(id) === undefined);
      expect(unprofiled).toEqual([]);
    });
  });
}
