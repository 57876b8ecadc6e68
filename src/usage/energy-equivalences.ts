/**
 * Everyday equivalences of a footprint, computed from its central estimate and labelled so: a
 * dashboard shows "≈ 3 km by car (central estimate)", never a bare number as if it were measured.
 * @module
 */

import type { Factor, Range } from "./energy-factors.ts";

/** What one unit of each everyday activity emits or uses. */
export const EQUIVALENCE_FACTORS = Object.freeze({
  webSearch: Object.freeze({
    value: 0.2,
    unit: "g CO₂ per web search",
    source: "https://googleblog.blogspot.com/2009/01/powering-google-search.html",
    asOf: "2009-01-11",
    note: "Google, Powering a Google search",
  }),
  email: Object.freeze({
    value: 4,
    unit: "g CO₂e per typical email",
    source: "https://profilebooks.com/work/how-bad-are-bananas/",
    asOf: "2010",
    note: "Mike Berners-Lee, How Bad Are Bananas? (2010)",
  }),
  carKm: Object.freeze({
    value: 400 / 1.609344,
    unit: "g CO₂ per km driven in a typical passenger car (400 g per mile)",
    source: "https://www.epa.gov/greenvehicles/greenhouse-gas-emissions-typical-passenger-vehicle",
    asOf: "2023",
    note: "US EPA, Greenhouse Gas Emissions from a Typical Passenger Vehicle",
  }),
  ledBulbHour: Object.freeze({
    value: 10,
    unit: "Wh per hour of a 10 W LED bulb (a 60 W-equivalent)",
    source: "https://www.energy.gov/energysaver/lighting-choices-save-you-money",
    asOf: "2024",
    note: "US DOE Energy Saver: a 60 W-equivalent LED bulb draws about 10 W",
  }),
} satisfies Record<string, Factor>);

/** Equivalences of a footprint's central estimate. */
export interface Equivalences {
  basis: "central estimate";
  webSearches: number;
  emails: number;
  carKm: number;
  ledBulbHours: number;
}

/**
 * The central CO₂e and energy of a footprint as everyday activities.
 *
 * @example
 * equivalencesOf({ co2eG: { low: 1, central: 2, high: 5 }, energyWh: { low: 2, central: 4, high: 9 } }).webSearches; // 10
 */
export function equivalencesOf(footprint: { co2eG: Range; energyWh: Range }): Equivalences {
  const grams = Math.max(0, footprint.co2eG.central);
  const wh = Math.max(0, footprint.energyWh.central);
  const f = EQUIVALENCE_FACTORS;
  return {
    basis: "central estimate",
    webSearches: grams / f.webSearch.value,
    emails: grams / f.email.value,
    carKm: grams / f.carKm.value,
    ledBulbHours: wh / f.ledBulbHour.value,
  };
}

/** Equivalences of a mass of CO₂e alone (no energy known), labelled like {@link equivalencesOf}. */
export type Co2Equivalences = Omit<Equivalences, "ledBulbHours">;

/**
 * A central CO₂e mass in grams as web searches, emails and km by car.
 *
 * @example
 * co2Equivalences(4).emails; // 1
 */
export function co2Equivalences(grams: number): Co2Equivalences {
  const g = Number.isFinite(grams) ? Math.max(0, grams) : 0;
  const f = EQUIVALENCE_FACTORS;
  return { basis: "central estimate", webSearches: g / f.webSearch.value, emails: g / f.email.value, carKm: g / f.carKm.value };
}
