import { describe, expect, test } from "bun:test";
import { PRICES_AS_OF } from "../../src/usage/price-table.ts";
import {
  CO2_EQUIVALENCES,
  DEFAULT_RATES,
  GRID_KG_CO2_PER_KWH,
  MODEL_RATES,
  co2Equivalences,
  embeddingCostUsd,
  ratesFor,
  savingsFor,
} from "../../src/usage/savings-v1.ts";

describe("methodology-1 rate table", () => {
  test("has an ISO as-of date", () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number.isNaN(Date.parse(PRICES_AS_OF))).toBe(false);
  });

  test("keys are lowercase and every rate is a finite, non-negative number", () => {
    for (const [prefix, r] of Object.entries(MODEL_RATES)) {
      expect(prefix).toBe(prefix.toLowerCase());
      for (const v of Object.values(r)) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
      // A cache read never costs more than a fresh input token.
      expect(r.cachedInputPerMTok).toBeLessThanOrEqual(r.inputPerMTok);
    }
  });

  test("is frozen", () => {
    expect(Object.isFrozen(MODEL_RATES)).toBe(true);
    expect(Object.isFrozen(MODEL_RATES["gpt-4o"])).toBe(true);
  });

  test("carries the design's CO₂ factors", () => {
    expect(MODEL_RATES["gpt-4o"]?.co2KgPer1kOutputTokens).toBe(0.00003);
    expect(MODEL_RATES["gpt-4o-mini"]?.co2KgPer1kOutputTokens).toBe(0.000006);
    expect(MODEL_RATES["gpt-4-turbo"]?.co2KgPer1kOutputTokens).toBe(0.00003);
    expect(MODEL_RATES["gpt-3.5-turbo"]?.co2KgPer1kOutputTokens).toBe(0.000006);
    expect(ratesFor("claude-opus-4-1").co2KgPer1kOutputTokens).toBe(0.000035);
    expect(ratesFor("claude-sonnet-4-5").co2KgPer1kOutputTokens).toBe(0.00002);
    expect(ratesFor("claude-haiku-4-5").co2KgPer1kOutputTokens).toBe(0.000008);
    expect(ratesFor("gemini-2.5-pro").co2KgPer1kOutputTokens).toBe(0.000025);
    expect(ratesFor("gemini-2.5-flash").co2KgPer1kOutputTokens).toBe(0.00001);
    expect(DEFAULT_RATES.co2KgPer1kOutputTokens).toBe(0.00002);
    expect(GRID_KG_CO2_PER_KWH).toBe(0.45);
  });
});

describe("ratesFor: longest prefix", () => {
  const cases: [string, string][] = [
    ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
    ["gpt-4o-2024-08-06", "gpt-4o"],
    ["gpt-4o-2024-05-13", "gpt-4o-2024-05-13"],
    ["gpt-4o", "gpt-4o"],
    ["gpt-4.1-2025-04-14", "gpt-4.1"],
    ["gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"],
    ["gpt-4.1-nano", "gpt-4.1-nano"],
    ["gpt-5-2025-08-07", "gpt-5"],
    ["gpt-5-mini-2025-08-07", "gpt-5-mini"],
    ["gpt-5-nano", "gpt-5-nano"],
    ["o1-2024-12-17", "o1"],
    ["o1-mini-2024-09-12", "o1-mini"],
    ["o3-2025-04-16", "o3"],
    ["o3-mini-2025-01-31", "o3-mini"],
    ["o4-mini-2025-04-16", "o4-mini"],
    ["gpt-4-turbo-2024-04-09", "gpt-4-turbo"],
    ["gpt-4-0125-preview", "gpt-4-0125-preview"],
    ["gpt-4-0613", "gpt-4"],
    ["gpt-3.5-turbo-0125", "gpt-3.5-turbo"],
    ["text-embedding-3-small", "text-embedding-3-small"],
    ["claude-3-5-sonnet-20241022", "claude-3-5-sonnet"],
    ["claude-3-7-sonnet-latest", "claude-3-7-sonnet"],
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
    ["claude-sonnet-4-20250514", "claude-sonnet-4"],
    ["claude-opus-4-5-20251101", "claude-opus-4-5"],
    ["claude-opus-4-1-20250805", "claude-opus-4-1"],
    ["claude-opus-4-20250514", "claude-opus-4"],
    ["claude-opus-4-0", "claude-opus-4"],
    ["claude-3-5-haiku-latest", "claude-3-5-haiku"],
    ["claude-haiku-4-5", "claude-haiku-4-5"],
    ["claude-haiku-4-5-20251001", "claude-haiku-4-5"],
    ["claude-3-haiku-20240307", "claude-3-haiku"],
    ["claude-3-opus-20240229", "claude-3-opus"],
    ["gemini-2.5-flash-lite", "gemini-2.5-flash-lite"],
    ["gemini-2.5-flash", "gemini-2.5-flash"],
    ["gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"],
    ["gemini-2.5-pro", "gemini-2.5-pro"],
    ["gemini-2.0-flash-001", "gemini-2.0-flash"],
    ["gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite"],
    ["gemini-1.5-pro-002", "gemini-1.5-pro"],
    ["gemini-1.5-flash-8b", "gemini-1.5-flash-8b"],
    ["models/gemini-1.5-pro", "gemini-1.5-pro"],
    ["models/gemini-2.5-flash-lite", "gemini-2.5-flash-lite"],
    ["GPT-4o-Mini", "gpt-4o-mini"],
    ["  gpt-4o  ", "gpt-4o"],
  ];
  for (const [model, prefix] of cases) {
    test(`${model} → ${prefix}`, () => {
      const r = ratesFor(model);
      expect(r.matchedPrefix).toBe(prefix);
      expect(r.inputPerMTok).toBe(MODEL_RATES[prefix]!.inputPerMTok);
    });
  }

  test("known list prices", () => {
    expect(ratesFor("gpt-4o")).toMatchObject({ inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 });
    expect(ratesFor("gpt-4o-mini")).toMatchObject({ inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 });
    expect(ratesFor("claude-sonnet-4-5")).toMatchObject({ inputPerMTok: 3, cachedInputPerMTok: 0.3, outputPerMTok: 15 });
    expect(ratesFor("claude-opus-4-5")).toMatchObject({ inputPerMTok: 5, outputPerMTok: 25 });
    expect(ratesFor("claude-opus-4-1")).toMatchObject({ inputPerMTok: 15, outputPerMTok: 75 });
    expect(ratesFor("gemini-2.5-flash-lite").outputPerMTok).toBeLessThan(ratesFor("gemini-2.5-flash").outputPerMTok);
  });

  test("unknown models get the default with no matched prefix", () => {
    for (const model of ["llama-3.1-70b", "", "mistral-large", "gpt", "claude-"]) {
      const r = ratesFor(model);
      expect(r.matchedPrefix).toBeNull();
      expect(r.inputPerMTok).toBe(DEFAULT_RATES.inputPerMTok);
      expect(r.cachedInputPerMTok).toBe(DEFAULT_RATES.cachedInputPerMTok);
      expect(r.outputPerMTok).toBe(DEFAULT_RATES.outputPerMTok);
      expect(r.co2KgPer1kOutputTokens).toBe(0.00002);
    }
  });

  test("repeated lookups return the memoised object", () => {
    expect(ratesFor("gpt-4o-2024-08-06")).toBe(ratesFor("gpt-4o-2024-08-06"));
  });
});

describe("ratesFor: overrides", () => {
  test("a new prefix applies and takes missing fields from the default", () => {
    const r = ratesFor("acme-llm-7b-chat", { "acme-llm": { inputPerMTok: 0.5, outputPerMTok: 2 } });
    expect(r).toEqual({
      inputPerMTok: 0.5,
      cachedInputPerMTok: DEFAULT_RATES.cachedInputPerMTok,
      outputPerMTok: 2,
      co2KgPer1kOutputTokens: DEFAULT_RATES.co2KgPer1kOutputTokens,
      matchedPrefix: "acme-llm",
    });
  });

  test("a partial override of a known prefix keeps the built-in fields", () => {
    const r = ratesFor("gpt-4o-2024-08-06", { "gpt-4o": { outputPerMTok: 12 } });
    expect(r).toEqual({
      inputPerMTok: 2.5,
      cachedInputPerMTok: 1.25,
      outputPerMTok: 12,
      co2KgPer1kOutputTokens: 0.00003,
      matchedPrefix: "gpt-4o",
    });
    // The memoised built-in entry is untouched.
    expect(ratesFor("gpt-4o-2024-08-06").outputPerMTok).toBe(10);
  });

  test("a longer override prefix refines a built-in family", () => {
    const r = ratesFor("gpt-4o-mini-2024-07-18", { "GPT-4o-Mini-2024": { inputPerMTok: 0.2 } });
    expect(r.matchedPrefix).toBe("gpt-4o-mini-2024");
    expect(r.inputPerMTok).toBe(0.2);
    expect(r.outputPerMTok).toBe(0.6); // from the gpt-4o-mini entry
  });

  test("a shorter override does not shadow a longer built-in prefix", () => {
    const r = ratesFor("gpt-4o-mini", { "gpt-4o": { inputPerMTok: 99 } });
    expect(r.matchedPrefix).toBe("gpt-4o-mini");
    expect(r.inputPerMTok).toBe(0.15);
  });

  test("override keys match case-insensitively and undefined fields are ignored", () => {
    const r = ratesFor("models/gemini-2.5-pro", { "GEMINI-2.5-PRO": { inputPerMTok: undefined, outputPerMTok: 9 } });
    expect(r.inputPerMTok).toBe(1.25);
    expect(r.outputPerMTok).toBe(9);
  });

  test('an override keyed "" replaces the default for unmatched models only', () => {
    const overrides = { "": { inputPerMTok: 0 } };
    expect(ratesFor("unknown-model", overrides).inputPerMTok).toBe(0);
    expect(ratesFor("unknown-model", overrides).matchedPrefix).toBe("");
    expect(ratesFor("gpt-4o", overrides).inputPerMTok).toBe(2.5);
  });

  test("overrides edited between calls take effect", () => {
    const overrides: Record<string, { inputPerMTok: number }> = { "acme-": { inputPerMTok: 1 } };
    expect(ratesFor("acme-1", overrides).inputPerMTok).toBe(1);
    overrides["acme-"] = { inputPerMTok: 2 };
    expect(ratesFor("acme-1", overrides).inputPerMTok).toBe(2);
  });
});

describe("savingsFor", () => {
  test("gpt-4o, 1000 input of which 400 cached, 500 output", () => {
    // 600 × $2.50 + 400 × $1.25 + 500 × $10.00 = 1500 + 500 + 5000 = 7000 µ$ = $0.007
    const s = savingsFor("gpt-4o-2024-08-06", { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500 });
    expect(s.tokensSaved).toBe(500);
    expect(s.costSavedUsd).toBeCloseTo(0.007, 12);
    // 500 × 0.000030 g
    expect(s.co2SavedG).toBeCloseTo(0.015, 12);
  });

  test("gpt-4o, 1000 output tokens → 0.03 g CO₂", () => {
    const s = savingsFor("gpt-4o", { inputTokens: 0, cachedInputTokens: 0, outputTokens: 1000 });
    expect(s.co2SavedG).toBeCloseTo(0.03, 12);
    expect(s.costSavedUsd).toBeCloseTo(0.01, 12);
  });

  test("claude-sonnet-4-5 with cache reads", () => {
    // 2000 × $3 + 8000 × $0.30 + 1000 × $15 = 6000 + 2400 + 15000 = 23400 µ$
    const s = savingsFor("claude-sonnet-4-5-20250929", {
      inputTokens: 10_000,
      cachedInputTokens: 8_000,
      outputTokens: 1_000,
    });
    expect(s.costSavedUsd).toBeCloseTo(0.0234, 12);
    expect(s.co2SavedG).toBeCloseTo(0.02, 12);
  });

  test("unknown model uses the default rates", () => {
    // 1000 × $1 + 1000 × $4 = 5000 µ$; 1000 × 0.000020 g
    const s = savingsFor("mystery", { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 1000 });
    expect(s.costSavedUsd).toBeCloseTo(0.005, 12);
    expect(s.co2SavedG).toBeCloseTo(0.02, 12);
  });

  test("uses overrides", () => {
    const s = savingsFor(
      "gpt-4o",
      { inputTokens: 1_000_000, cachedInputTokens: 0, outputTokens: 0 },
      { "gpt-4o": { inputPerMTok: 3 } },
    );
    expect(s.costSavedUsd).toBeCloseTo(3, 12);
  });

  test("never prices more cached tokens than input tokens, nor negative or missing counts", () => {
    const s = savingsFor("gpt-4o", { inputTokens: 100, cachedInputTokens: 500, outputTokens: -5 });
    expect(s.costSavedUsd).toBeCloseTo((100 * 1.25) / 1e6, 15);
    expect(s.tokensSaved).toBe(0);
    expect(s.co2SavedG).toBe(0);
    const z = savingsFor("gpt-4o", { inputTokens: Number.NaN, cachedInputTokens: 0, outputTokens: 0 });
    expect(z).toEqual({ tokensSaved: 0, costSavedUsd: 0, co2SavedG: 0 });
  });
});

describe("co2Equivalences", () => {
  test("converts grams through kg per unit", () => {
    const e = co2Equivalences(120);
    expect(e.carKm).toBeCloseTo(1, 12); // 0.120 kg / 0.120
    expect(e.webSearches).toBeCloseTo(600, 9); // 0.120 / 0.0002
    expect(e.emails).toBeCloseTo(30, 9); // 0.120 / 0.004
    expect(e.phoneCharges).toBeCloseTo(0.12 / 0.0022, 9);
    expect(e.ledBulbHours).toBeCloseTo(60, 9); // 0.120 / 0.002
  });

  test("uses the published factors", () => {
    expect(CO2_EQUIVALENCES).toEqual({ webSearch: 0.0002, email: 0.004, phoneCharge: 0.0022, ledBulbHour: 0.002, carKm: 0.12 });
  });

  test("zero and invalid masses give zero", () => {
    expect(co2Equivalences(0)).toEqual({ webSearches: 0, emails: 0, phoneCharges: 0, ledBulbHours: 0, carKm: 0 });
    expect(co2Equivalences(Number.NaN).carKm).toBe(0);
  });
});

describe("embeddingCostUsd", () => {
  test("prices input tokens at the embedding model's rate", () => {
    expect(embeddingCostUsd("text-embedding-3-small", 1_000_000)).toBeCloseTo(0.02, 12);
    expect(embeddingCostUsd("text-embedding-3-large", 500_000)).toBeCloseTo(0.065, 12);
    expect(embeddingCostUsd("text-embedding-ada-002", 10_000)).toBeCloseTo(0.001, 12);
  });

  test("honours overrides and ignores invalid counts", () => {
    expect(embeddingCostUsd("my-embedder", 1_000_000, { "my-embedder": { inputPerMTok: 0.05 } })).toBeCloseTo(0.05, 12);
    expect(embeddingCostUsd("text-embedding-3-small", -1)).toBe(0);
  });
});
