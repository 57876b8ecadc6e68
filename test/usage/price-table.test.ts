import { describe, expect, test } from "bun:test";
import { PRICE_TABLE, PRICES_AS_OF, rowOn, UNPRICED_MODELS, type PriceRow, type TokenRates } from "../../src/usage/price-table.ts";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const rows = Object.entries(PRICE_TABLE).flatMap(([key, entry]) => (Array.isArray(entry) ? entry : [entry as PriceRow]).map((row) => [key, row] as const));

function expectRates(label: string, r: TokenRates) {
  for (const field of ["input", "cachedInput", "cacheWrite", "output"] as const) {
    expect(Number.isFinite(r[field]) && r[field] >= 0, `${label}.${field} = ${r[field]}`).toBe(true);
  }
  // A cache read never costs more than a fresh input token.
  expect(r.cachedInput, `${label} cachedInput`).toBeLessThanOrEqual(r.input);
}

describe("the price table", () => {
  test("is dated and not in the future", () => {
    expect(PRICES_AS_OF).toMatch(ISO_DATE);
    expect(PRICES_AS_OF <= new Date().toISOString().slice(0, 10)).toBe(true);
  });

  test("every row names an https source and the date of its figure", () => {
    expect(rows.length).toBeGreaterThan(100);
    for (const [key, row] of rows) {
      expect(row.source, key).toMatch(/^https:\/\//);
      if (row.via !== undefined) expect(row.via, key).toMatch(/^https:\/\//);
      expect(row.asOf, key).toMatch(ISO_DATE);
      expect(row.asOf <= PRICES_AS_OF, `${key} asOf ${row.asOf}`).toBe(true);
      expect(["openai", "anthropic", "gemini"]).toContain(row.provider);
    }
  });

  test("keys are lowercase and every rate is a finite, non-negative number", () => {
    for (const [key, row] of rows) {
      expect(key).toBe(key.toLowerCase());
      expectRates(key, row);
      if (row.longContext) {
        expectRates(`${key} long context`, row.longContext);
        expect(row.longContext.aboveInputTokens).toBeGreaterThan(0);
        // Long prompts never cost less per token than short ones.
        expect(row.longContext.input).toBeGreaterThanOrEqual(row.input);
        expect(row.longContext.output).toBeGreaterThanOrEqual(row.output);
      }
    }
  });

  test("scheduled prices start on distinct ISO days", () => {
    for (const [key, entry] of Object.entries(PRICE_TABLE)) {
      if (!Array.isArray(entry)) continue;
      const starts = entry.map((r: PriceRow) => r.from ?? "");
      expect(new Set(starts).size, key).toBe(starts.length);
      for (const start of starts) if (start) expect(start, key).toMatch(ISO_DATE);
    }
  });

  test("rowOn picks the row in effect on a day", () => {
    const argon = PRICE_TABLE["gemini-4-argon"]!;
    expect(rowOn(argon, "2026-11-30").input).toBe(2);
    expect(rowOn(argon, "2026-12-01").input).toBe(4);
    expect(rowOn(argon, "2030-01-01").output).toBe(20);
    const sonnet = PRICE_TABLE["claude-sonnet-5-5"]!;
    expect(rowOn(sonnet, "2026-10-06").cachedInput).toBe(0.2);
    expect(rowOn(sonnet, "2026-10-07").cachedInput).toBe(0.1);
  });

  test("is frozen", () => {
    expect(Object.isFrozen(PRICE_TABLE)).toBe(true);
    expect(Object.isFrozen(PRICE_TABLE["gpt-4o"])).toBe(true);
    expect(Object.isFrozen(UNPRICED_MODELS)).toBe(true);
  });

  test("no family is both priced and listed as unpriced, and each unpriced family says why", () => {
    for (const [key, { reason }] of Object.entries(UNPRICED_MODELS)) {
      expect(PRICE_TABLE[key], key).toBeUndefined();
      expect(key).toBe(key.toLowerCase());
      expect(reason.length, key).toBeGreaterThan(20);
    }
  });
});
