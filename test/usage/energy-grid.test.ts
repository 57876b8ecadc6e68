import { describe, expect, test } from "bun:test";
import { EcoAIConfigError } from "../../src/errors.ts";
import { DATA_CENTRES, GRID_INTENSITY_G_PER_KWH, gridIntensity, validateFootprintConfig, WORLD_GRID } from "../../src/usage/energy-grid.ts";

describe("grid intensity", () => {
  test("defaults to the 2024 world average, with its source", () => {
    const grid = gridIntensity({}, "anthropic");
    expect(grid).toMatchObject({ gPerKwh: 473.01, basis: "world-average", region: "WOR" });
    expect(WORLD_GRID).toMatchObject({ value: 473.01, year: 2024 });
    expect(grid.source).toMatch(/^https:\/\/ourworldindata\.org\//);
  });

  test("a region, or the provider's own data-centre country, when asked", () => {
    expect(gridIntensity({ gridRegion: "fra" }, "openai")).toMatchObject({ gPerKwh: 44.18, basis: "region", region: "FRA" });
    expect(gridIntensity({ gridRegion: "provider" }, "gemini")).toMatchObject({ gPerKwh: 383.55, basis: "provider-region", region: "USA" });
  });

  test("the user's figure wins over a region", () => {
    expect(gridIntensity({ gridIntensityGPerKwh: 56, gridRegion: "FRA" }, "openai")).toMatchObject({ gPerKwh: 56, basis: "user", region: null });
  });

  test("every provider has a PUE range and a known region", () => {
    for (const [provider, centre] of Object.entries(DATA_CENTRES)) {
      expect(centre.pue.low, provider).toBeGreaterThanOrEqual(1);
      expect(centre.pue.high, provider).toBeGreaterThanOrEqual(centre.pue.low);
      expect(GRID_INTENSITY_G_PER_KWH[centre.region], provider).toBeGreaterThan(0);
      expect(centre.source).toMatch(/^https:\/\//);
    }
  });
});

describe("validateFootprintConfig", () => {
  const source = "environment variable ECOAI_GRID_INTENSITY" as const;

  test("accepts and normalises good values", () => {
    expect(validateFootprintConfig({ gridIntensityGPerKwh: 56, gridRegion: "deu", embodiedEmissions: true }, "constructor option")).toEqual({ gridIntensityGPerKwh: 56, gridRegion: "DEU", embodiedEmissions: true });
    expect(validateFootprintConfig({ gridRegion: "Provider" }, "constructor option")).toEqual({ gridRegion: "provider" });
    expect(validateFootprintConfig(undefined, "constructor option")).toEqual({});
  });

  const bad: [string, unknown, string, RegExp][] = [
    ["a string intensity", { gridIntensityGPerKwh: "56" }, "gridIntensityGPerKwh", /g CO₂e per kWh/],
    ["a negative intensity", { gridIntensityGPerKwh: -1 }, "gridIntensityGPerKwh", /from 0 to 2000/],
    ["an unknown region", { gridRegion: "Atlantis" }, "gridRegion", /ISO 3166-1 alpha-3/],
    ["a non-boolean embodied flag", { embodiedEmissions: "yes" }, "embodiedEmissions", /true or false/],
    ["an unknown key", { gridIntensity: 56 }, "gridIntensity", /unknown option/],
    ["not an object", "FRA", "footprint", /expected an object/],
  ];
  for (const [name, raw, option, expected] of bad) {
    test(`rejects ${name}, naming the option, value and source`, () => {
      let error: unknown;
      try {
        validateFootprintConfig(raw, source);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EcoAIConfigError);
      const e = error as EcoAIConfigError;
      expect(e.code).toBe("ECOAI_CONFIG");
      expect(e.option).toBe(option);
      expect(e.source).toBe(source);
      expect(e.message).toMatch(expected);
      expect(e.message).toContain(source);
    });
  }
});
