import { describe, expect, test } from "bun:test";
import { EcoAIConfigError } from "../../src/errors.ts";
import { DATA_CENTRES, GRID_INTENSITY_G_PER_KWH, gridIntensity, WORLD_GRID } from "../../src/usage/energy-grid.ts";

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
