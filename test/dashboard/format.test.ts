import { expect, test } from "bun:test";
import { join } from "node:path";
import { DASHBOARD_ROOT } from "../../src/dashboard/static.ts";

// The pages' number formatting, loaded from the file the browser loads (plain JS, no DOM needed).
const { fmt, meaningfulEquivalences } = await import(join(DASHBOARD_ROOT, "format.js"));

test("dollars: cents from a cent up, micro-dollars below, never a long row of zeros", () => {
  expect(fmt.usd(0)).toBe("$0");
  expect(fmt.usd(1234.5)).toBe("$1,234.50");
  expect(fmt.usd(0.0042)).toBe("4,200 µ$");
  expect(fmt.usd(0.000043)).toBe("43 µ$");
  expect(fmt.usd(0.0000053124)).toBe("5.3 µ$");
  expect(fmt.usd(0.0000000421)).toBe("0.042 µ$");
});

test("a net loss (embedding calls that cost more than the hits saved) reads as one", () => {
  expect(fmt.usd(-2.5)).toBe("-$2.50");
  expect(fmt.usd(-0.0042)).toBe("-4,200 µ$");
});

test("grams scale to kg, mg and µg; the exact value is there for a tooltip", () => {
  expect(fmt.grams(1520)).toBe("1.52 kg");
  expect(fmt.grams(12.345)).toBe("12.3 g");
  expect(fmt.grams(0.0036)).toBe("3.6 mg");
  expect(fmt.grams(0.0000036)).toBe("3.6 µg");
  expect(fmt.exact(0.0000053124, " USD")).toBe("0.0000053124 USD");
  expect(fmt.ms(0.42)).toBe("0.42 ms");
  expect(fmt.ms(1234)).toBe("1.23 s");
});

test("equivalences too small to mean anything are left out, small distances read in metres", () => {
  const kg = (g: number) => g / 1000;
  const of = (g: number) => ({ webSearches: kg(g) / 0.0002, emails: kg(g) / 0.004, phoneCharges: kg(g) / 0.0022, ledBulbHours: kg(g) / 0.002, carKm: kg(g) / 0.12 });
  expect(meaningfulEquivalences(of(0.0006))).toEqual([]);
  const small = meaningfulEquivalences(of(0.5));
  expect(small.map((item: { key: string }) => item.key)).toEqual(["webSearches", "ledBulbHours", "carKm"]);
  expect(small.find((item: { key: string }) => item.key === "carKm")).toMatchObject({ text: "4.2", unit: "m" });
  expect(small.find((item: { key: string }) => item.key === "ledBulbHours")).toMatchObject({ text: "15.0", unit: "min" });
});
