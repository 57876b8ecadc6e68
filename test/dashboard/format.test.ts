import { expect, test } from "bun:test";
import { join } from "node:path";
import { DASHBOARD_ROOT } from "../../src/dashboard/static.ts";

// The pages' number formatting, loaded from the file the browser loads (plain JS, no DOM needed).
const { fmt } = await import(join(DASHBOARD_ROOT, "format.js"));

test("dollars: cents, then more digits for fractions of a cent", () => {
  expect(fmt.usd(0)).toBe("$0");
  expect(fmt.usd(1234.5)).toBe("$1,234.50");
  expect(fmt.usd(0.0042)).toBe("$0.0042");
  expect(fmt.usd(0.000043)).toBe("$0.000043");
});

test("a net loss (embedding calls that cost more than the hits saved) reads as one", () => {
  expect(fmt.usd(-2.5)).toBe("-$2.50");
  expect(fmt.usd(-0.0042)).toBe("-$0.0042");
  expect(fmt.usd(-0.0000002)).toBe("-$0.00000020");
});
