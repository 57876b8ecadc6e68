// Number formatting for the pages: plain functions with no DOM, so they can be tested directly.
// Every amount is readable at a glance and never cut off: tiny dollars scale to µ$, tiny grams to
// mg and µg, and `exact` gives the full value for a tooltip.

const integer = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Up to `digits` significant digits, never in exponent notation, thousands separated. */
function significant(n, digits = 3) {
  if (n === 0) return "0";
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(n))));
  return Number(n.toFixed(Math.min(decimals, 12))).toLocaleString("en-US", { maximumFractionDigits: Math.min(decimals, 12) });
}

export const fmt = {
  int: (n) => integer.format(n),
  compact: (n) => (Math.abs(n) >= 100_000 ? compact.format(n) : integer.format(n)),
  percent: (ratio, digits = 1) => `${(ratio * 100).toFixed(digits)}%`,
  /** Dollars: cents from a cent up, µ$ (millionths of a dollar) below; a net loss as "-$…". */
  usd(n) {
    if (n === 0) return "$0";
    if (n === null || n === undefined || !Number.isFinite(n)) return "–";
    const sign = n < 0 ? "-" : "";
    const size = Math.abs(n);
    if (size >= 0.01) return `${sign}$${size.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    return `${sign}${significant(size * 1e6, 2)} µ$`;
  },
  /** Grams: kg, g, mg or µg, whichever reads as a plain number. */
  grams(g) {
    if (g === 0) return "0 g";
    const sign = g < 0 ? "-" : "";
    const size = Math.abs(g);
    if (size >= 1000) return `${sign}${significant(size / 1000, 3)} kg`;
    if (size >= 1) return `${sign}${significant(size, 3)} g`;
    if (size >= 0.001) return `${sign}${significant(size * 1000, 2)} mg`;
    return `${sign}${significant(size * 1e6, 2)} µg`;
  },
  /** Milliseconds as ms or s. */
  ms(n) {
    if (n === null || n === undefined) return "–";
    if (n >= 1000) return `${significant(n / 1000, 3)} s`;
    return `${significant(n, n < 1 ? 2 : 3)} ms`;
  },
  /** The full value for a tooltip: "$0.000005312 (exactly 0.0000053124)". */
  exact(n, unit = "") {
    if (n === null || n === undefined || !Number.isFinite(n)) return "";
    return `${n.toLocaleString("en-US", { maximumSignificantDigits: 12, maximumFractionDigits: 20 })}${unit}`;
  },
  amount(n) {
    if (n >= 100) return integer.format(Math.round(n));
    if (n >= 1) return n.toFixed(1);
    if (n === 0) return "0";
    return significant(n, 2);
  },
  /** "3 min ago", with the exact time available as a tooltip. */
  ago(iso, now = Date.now()) {
    const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
    if (seconds < 60) return "just now";
    const units = [["day", 86400], ["h", 3600], ["min", 60]];
    for (const [unit, size] of units) {
      if (seconds >= size) {
        const n = Math.floor(seconds / size);
        return unit === "day" ? `${n} day${n === 1 ? "" : "s"} ago` : `${n} ${unit} ago`;
      }
    }
    return "just now";
  },
};

/**
 * Everyday equivalences worth showing: each in the unit that makes it at least one whole thing
 * (metres of driving below a kilometre, minutes of a bulb below an hour), and none below that.
 */
export function meaningfulEquivalences(equivalences) {
  const items = [];
  const add = (key, value, unit, label) => {
    if (value >= 1) items.push({ key, text: fmt.amount(value), unit, label });
  };
  add("webSearches", equivalences.webSearches, "", "web searches");
  add("emails", equivalences.emails, "", "emails sent");
  add("phoneCharges", equivalences.phoneCharges, "", "smartphone charges");
  const bulbHours = equivalences.ledBulbHours;
  if (bulbHours >= 1) add("ledBulbHours", bulbHours, "h", "of an LED bulb");
  else add("ledBulbHours", bulbHours * 60, "min", "of an LED bulb");
  const km = equivalences.carKm;
  if (km >= 1) add("carKm", km, "km", "by car");
  else add("carKm", km * 1000, "m", "by car");
  return items;
}
