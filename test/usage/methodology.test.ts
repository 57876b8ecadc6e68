import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EQUIVALENCE_FACTORS, equivalencesOf } from "../../src/usage/energy-equivalences.ts";
import { footprintOfCall, type FootprintCall } from "../../src/usage/energy-footprint.ts";
import { describeMethodology, METHODOLOGY_VERSION, PUBLISHED_FIGURES } from "../../src/usage/methodology.ts";
import { PRICES_AS_OF } from "../../src/usage/price-table.ts";

const README = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");

describe("the methodology as data", () => {
  test("is versioned and dated", () => {
    const m = describeMethodology();
    expect(m.version).toBe(METHODOLOGY_VERSION);
    expect(METHODOLOGY_VERSION).toBe(2);
    expect(m.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(m.previousVersions.map((v) => v.version)).toEqual([1]);
  });

  test("every factor, equivalence and published figure names a source and a date", () => {
    const m = describeMethodology();
    expect(m.factors.length).toBeGreaterThan(20);
    for (const f of [...m.factors, ...m.equivalences, ...m.embodied.factors]) {
      expect(f.source, f.name).toMatch(/^https:\/\//);
      expect(f.asOf, f.name).toMatch(/^\d{4}/);
      expect(Number.isFinite(f.value), f.name).toBe(true);
      expect(f.unit.length, f.name).toBeGreaterThan(0);
    }
    for (const p of PUBLISHED_FIGURES) expect(p.source, p.what).toMatch(/^https:\/\//);
  });

  test("shows the grid in use for each provider under the given options", () => {
    expect(describeMethodology().grid.inUse.openai).toMatchObject({ gPerKwh: 473.01, basis: "world-average" });
    const france = describeMethodology({ gridRegion: "FRA", embodiedEmissions: true });
    expect(france.grid.inUse.anthropic.gPerKwh).toBe(44.18);
    expect(france.embodied.enabled).toBe(true);
    expect(describeMethodology({ gridRegion: "provider" }).grid.inUse.gemini.region).toBe("USA");
  });

  test("describes the three scenarios behind every range", () => {
    const m = describeMethodology();
    expect(m.scenarios.map((s) => [s.scenario, s.batchSize, s.weightBits])).toEqual([
      ["low", 256, 8],
      ["central", 128, 8],
      ["high", 64, 16],
    ]);
    expect(m.formula.energy.join("\n")).toContain("PUE");
    expect(m.prices.asOf).toBe(PRICES_AS_OF);
  });

  test("is plain JSON, so the dashboard can serve it as is", () => {
    const m = describeMethodology();
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
});

describe("equivalences", () => {
  test("are computed from the central estimate with each factor's source", () => {
    const e = equivalencesOf({ co2eG: { low: 1, central: 248.5484, high: 900 }, energyWh: { low: 1, central: 50, high: 99 } });
    expect(e.basis).toBe("central estimate");
    expect(e.carKm).toBeCloseTo(248.5484 / (400 / 1.609344), 9); // US EPA: 400 g CO₂ per mile
    expect(e.webSearches).toBeCloseTo(248.5484 / 0.2, 9); // Google 2009: 0.2 g per search
    expect(e.emails).toBeCloseTo(248.5484 / 4, 9); // Berners-Lee 2010: 4 g per email
    expect(e.ledBulbHours).toBe(5); // 50 Wh / 10 W
    for (const f of Object.values(EQUIVALENCE_FACTORS)) expect(f.source).toMatch(/^https:\/\//);
  });

  test("of nothing, or of nonsense, are zero", () => {
    expect(equivalencesOf({ co2eG: { low: 0, central: -3, high: 0 }, energyWh: { low: 0, central: 0, high: 0 } })).toMatchObject({ webSearches: 0, emails: 0, carKm: 0, ledBulbHours: 0 });
  });
});

describe("the README's section on how savings are computed", () => {
  const section = README.slice(README.indexOf("## How savings are computed"), README.indexOf("\n## ", README.indexOf("## How savings are computed") + 5));

  test("exists and names the method's version, grid default and price date", () => {
    expect(section.length).toBeGreaterThan(500);
    expect(section).toContain(`version ${METHODOLOGY_VERSION}`);
    expect(section).toContain("473");
    expect(section).toContain(PRICES_AS_OF);
  });

  test("states the scenario settings the code uses", () => {
    const m = describeMethodology();
    for (const s of m.scenarios) expect(section).toContain(`batch ${s.batchSize}`);
  });
});

describe("the README's table of five calls", () => {
  const calls: Record<string, FootprintCall> = {
    "Short chat: gpt-4o, 100 in / 300 out": { model: "gpt-4o", usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 } },
    "Long context: gpt-4o, 100,000 in / 500 out": { model: "gpt-4o", usage: { inputTokens: 100_000, cachedInputTokens: 0, outputTokens: 500 } },
    "Reasoning: o3, 10,000 in / 25,000 out (23,500 reasoning)": { model: "o3", usage: { inputTokens: 10_000, cachedInputTokens: 0, outputTokens: 25_000, reasoningTokens: 23_500 } },
    "Image: gpt-image-1, one high 1024×1024": { model: "gpt-image-1", usage: { inputTokens: 50, cachedInputTokens: 0, outputTokens: 4160, images: { count: 1, size: "1024x1024", quality: "high" } } },
    "Cached input: claude-sonnet-4-5, 20,000 in (18,000 read, 1,000 written) / 400 out": {
      model: "claude-sonnet-4-5",
      usage: { inputTokens: 20_000, cachedInputTokens: 18_000, cacheWriteInputTokens: 1_000, outputTokens: 400 },
    },
  };
  // Two significant figures, as the table prints them.
  const shown = (x: number) => Number(x.toPrecision(2));
  const triple = (cell: string) => cell.match(/^([\d.]+) \(([\d.]+)–([\d.]+)\)$/)!.slice(1).map(Number);

  test("matches what the method computes today", () => {
    const rows = README.split("\n").filter((line) => line.startsWith("| ") && Object.keys(calls).some((label) => line.startsWith(`| ${label} |`)));
    expect(rows.length).toBe(5);
    for (const line of rows) {
      const [label, energy, co2, cost] = line.split(" | ").map((cell) => cell.replace(/^\| /, ""));
      const f = footprintOfCall(calls[label!]!, { at: PRICES_AS_OF });
      expect(triple(energy!), label).toEqual([f.energyWh.central, f.energyWh.low, f.energyWh.high].map(shown));
      expect(triple(co2!), label).toEqual([f.co2eG.total.central, f.co2eG.total.low, f.co2eG.total.high].map(shown));
      expect(Number(cost!.slice(1)), label).toBe(Number(f.cost.usd!.toPrecision(3)));
    }
  });
});
