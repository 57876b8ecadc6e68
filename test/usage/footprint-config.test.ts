/**
 * The CO₂ options — grid intensity, grid region, embodied emissions — from a constructor option,
 * an environment variable or the settings file, checked like every other option, and reaching
 * the rows the usage log writes.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EcoAIConfigError } from "../../src/errors.ts";
import { footprintFigures } from "../../src/usage/energy-footprint.ts";
import { FOOTPRINT_ENV, resolveFootprint, validateFootprintConfig } from "../../src/usage/footprint-config.ts";
import { ask, recordingLogger, useUpstream } from "../harness.ts";

const up = useUpstream();

describe("validateFootprintConfig", () => {
  test("accepts and normalises good values", () => {
    expect(validateFootprintConfig({ gridIntensityGPerKwh: 56, gridRegion: "deu", embodiedEmissions: true }, "constructor option")).toEqual({ gridIntensityGPerKwh: 56, gridRegion: "DEU", embodiedEmissions: true });
    expect(validateFootprintConfig({ gridRegion: "Provider" }, "constructor option")).toEqual({ gridRegion: "provider" });
    expect(validateFootprintConfig(undefined, "constructor option")).toEqual({});
  });

  test("text from an environment variable is parsed; from anywhere else a number must be a number", () => {
    const env = "environment variable ECOAI_GRID_INTENSITY" as const;
    expect(validateFootprintConfig({ gridIntensityGPerKwh: " 56 ", embodiedEmissions: "on" }, env)).toEqual({ gridIntensityGPerKwh: 56, embodiedEmissions: true });
    expect(() => validateFootprintConfig({ gridIntensityGPerKwh: "56" }, "constructor option")).toThrow(EcoAIConfigError);
  });

  const bad: [string, unknown, string, RegExp][] = [
    ["a string intensity", { gridIntensityGPerKwh: "fifty" }, "gridIntensityGPerKwh", /g CO₂e per kWh/],
    ["a negative intensity", { gridIntensityGPerKwh: -1 }, "gridIntensityGPerKwh", /from 0 to 2000/],
    ["an unknown region", { gridRegion: "Atlantis" }, "gridRegion", /ISO 3166-1 alpha-3/],
    ["a non-boolean embodied flag", { embodiedEmissions: "maybe" }, "embodiedEmissions", /true or false/],
    ["an unknown key", { gridIntensity: 56 }, "gridIntensity", /unknown option/],
    ["not an object", "FRA", "footprint", /expected an object/],
  ];
  for (const [name, raw, option, expected] of bad) {
    test(`rejects ${name}, naming the option, value and source`, () => {
      const source = "environment variable ECOAI_GRID_INTENSITY" as const;
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

describe("which grid applies", () => {
  test("constructor option > environment variable > settings file > world average, each with where it came from", () => {
    const settings = { gridRegion: "DEU", embodiedEmissions: true };
    const env = { [FOOTPRINT_ENV.gridRegion]: "FRA" };
    expect(resolveFootprint({}, {}, {}, "s.json")).toEqual({ config: {}, sources: {} });
    expect(resolveFootprint({}, {}, settings, "s.json")).toEqual({ config: settings, sources: { gridRegion: "settings file s.json", embodiedEmissions: "settings file s.json" } });
    expect(resolveFootprint({}, env, settings, "s.json").sources.gridRegion).toBe("environment variable ECOAI_GRID_REGION");
    expect(resolveFootprint({ gridRegion: "swe" }, env, settings, "s.json").config.gridRegion).toBe("SWE");
    expect(FOOTPRINT_ENV).toEqual({ gridIntensityGPerKwh: "ECOAI_GRID_INTENSITY", gridRegion: "ECOAI_GRID_REGION", embodiedEmissions: "ECOAI_EMBODIED_EMISSIONS" });
  });
});

describe("the CO₂ options on EcoAI", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.values(FOOTPRINT_ENV)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  async function loggedGrid(config: Parameters<typeof up.eco>[0], prompt: string) {
    const eco = up.eco(config);
    const response = await eco.chat.completions.create(ask(prompt));
    const [row] = await eco.history({ limit: 1 });
    return { row: row!, usage: response.usage! };
  }

  test("a constructor option sets the grid of every row; CO₂e is energy × that intensity", async () => {
    const { row, usage } = await loggedGrid({ gridIntensityGPerKwh: 56 }, "grid from the constructor");
    expect(row.gridGPerKwh).toBe(56);
    const expected = footprintFigures({ model: "gpt-4o", usage: { inputTokens: usage.prompt_tokens, cachedInputTokens: 0, outputTokens: usage.completion_tokens } });
    expect(row.energyWh!.central).toBeCloseTo(expected.energyWh.central, 12);
    expect(row.co2eG!.central).toBeCloseTo((expected.energyWh.central * 56) / 1000, 12);
  });

  test("an environment variable applies when no option is given, and a bad one fails at construction naming it", async () => {
    process.env.ECOAI_GRID_REGION = "NOR";
    expect((await loggedGrid({}, "grid from the environment")).row.gridGPerKwh).toBe(30.75);
    process.env.ECOAI_GRID_INTENSITY = "lots";
    expect(() => up.eco({})).toThrow(/Invalid gridIntensityGPerKwh "lots" \(from environment variable ECOAI_GRID_INTENSITY\)/);
  });

  test("the settings file applies after both; an unusable value there is one warning and the default", async () => {
    const settingsPath = join(up.dir, "grid-settings.json");
    writeFileSync(settingsPath, JSON.stringify({ gridRegion: "FRA" }));
    expect((await loggedGrid({ settingsPath }, "grid from the settings file")).row.gridGPerKwh).toBe(44.18);
    const badPath = join(up.dir, "bad-grid-settings.json");
    writeFileSync(badPath, JSON.stringify({ gridIntensityGPerKwh: "low" }));
    const logger = recordingLogger();
    expect((await loggedGrid({ settingsPath: badPath, logger }, "bad grid in the settings file")).row.gridGPerKwh).toBe(473.01);
    expect(logger.messages.join("\n")).toContain("gridIntensityGPerKwh");
  });
});
