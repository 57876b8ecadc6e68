// Number formatting for the pages: plain functions with no DOM, so they can be tested directly.

const integer = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export const fmt = {
  int: (n) => integer.format(n),
  compact: (n) => (n >= 100_000 ? compact.format(n) : integer.format(n)),
  percent: (ratio, digits = 1) => `${(ratio * 100).toFixed(digits)}%`,
  /** Cents, or two significant digits below a cent; a net loss (embeddings cost more than hits saved) as "-$…". */
  usd(n) {
    if (n === 0) return "$0";
    const sign = n < 0 ? "-" : "";
    const size = Math.abs(n);
    if (size < 0.01) return `${sign}$${size.toFixed(Math.min(10, Math.max(4, 1 - Math.floor(Math.log10(size)))))}`;
    return `${sign}$${size.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  },
  grams(g) {
    if (g >= 1000) return `${(g / 1000).toLocaleString("en-US", { maximumFractionDigits: 2 })} kg`;
    if (g >= 1) return `${g.toLocaleString("en-US", { maximumFractionDigits: 1 })} g`;
    if (g === 0) return "0 g";
    return `${g.toPrecision(2)} g`;
  },
  amount(n) {
    if (n >= 100) return integer.format(Math.round(n));
    if (n >= 1) return n.toFixed(1);
    if (n === 0) return "0";
    return n.toPrecision(2);
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
