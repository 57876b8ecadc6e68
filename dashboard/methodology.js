// The overview's methodology panel: the formula, every factor with its source and date, the grid
// in use and where it came from, the totals as low / central / high ranges, equivalents of the
// central estimate, and the dated price table. Every value is set as text, never as HTML.
import { byId, el, fmt, labelOf, PROVIDER_LABELS, setText } from "./common.js";

const EQUIVALENCE_LABELS = { webSearch: "One web search", email: "One email", carKm: "One km by car", ledBulbHour: "One hour of an LED bulb" };
const EQUIVALENCE_TOTALS = { webSearch: "webSearches", email: "emails", carKm: "carKm", ledBulbHour: "ledBulbHours" };
const GRID_BASIS = {
  user: "your own figure",
  region: "the grid of",
  "provider-region": "each provider's data-centre country:",
  "world-average": "world average",
};

/** A number as people read it: up to four significant figures, no exponent for ordinary sizes. */
function num(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return String(n);
  if (n !== 0 && Math.abs(n) < 0.001) return n.toExponential(3);
  return String(Number(n.toPrecision(4)));
}

/** A source address as a link that names its site, opened away from the dashboard. */
function sourceLink(url) {
  if (!url) return "";
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    return url;
  }
  return el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, host);
}

function row(...cells) {
  return el("tr", {}, ...cells.map((cell) => (cell instanceof Node ? el("td", {}, cell) : typeof cell === "object" && cell !== null ? el("td", cell.attrs, cell.text) : el("td", {}, String(cell ?? "")))));
}

const numCell = (text) => ({ attrs: { class: "num" }, text });

/** Where a value in force came from, in words. */
function origin(setBy) {
  if (setBy === "default" || !setBy) return "the default";
  return typeof setBy === "string" ? setBy : `${setBy.option}, from ${setBy.source}`;
}

function renderGrid(grid, embodied) {
  const basis = GRID_BASIS[grid.basis] ?? grid.basis;
  const where = grid.basis === "region" ? ` ${grid.region}` : grid.basis === "world-average" ? ` (${grid.region}, 2024)` : "";
  setText("grid-in-use", `${num(grid.gPerKwh)} g CO₂e per kWh — ${basis}${where}. Set by ${origin(grid.setBy)}. Change it with the gridIntensityGPerKwh or gridRegion option, ${grid.variables.gridIntensityGPerKwh} or ${grid.variables.gridRegion}, or the settings page; the default is ${num(grid.defaultGPerKwh)} g/kWh.`);
  setText("embodied-in-use", embodied.enabled
    ? `Embodied emissions of the hardware are included (set by ${origin(embodied.setBy)}), labelled apart in each call's figures.`
    : "Embodied emissions of the hardware are not included (off by default; the embodiedEmissions option turns them on).");
}

function renderRanges(totals) {
  const line = (label, range, format) => row(label, numCell(format(range.low)), numCell(format(range.central)), numCell(format(range.high)));
  byId("range-table").tBodies[0].replaceChildren(
    line("CO₂e saved", totals.co2eSavedG, fmt.grams),
    line("Energy saved", totals.energySavedWh, (wh) => `${num(wh)} Wh`),
    line("CO₂e of calls sent to providers", totals.co2eSpentG, fmt.grams),
    line("Energy of calls sent to providers", totals.energySpentWh, (wh) => `${num(wh)} Wh`),
  );
  const earlier = byId("earlier-method");
  earlier.hidden = totals.callsUnderEarlierMethods === 0;
  setText("earlier-method", `${fmt.int(totals.callsUnderEarlierMethods)} calls were logged under an earlier method: their CO₂ saved is kept as it was written (in the card's total) and they have no range here. Run “ecoai recompute” to bring them to the current method.`);
}

function renderFactors(m) {
  byId("factor-table").tBodies[0].replaceChildren(
    ...m.factors.map((f) => row(f.name, numCell(num(f.value)), f.unit, sourceLink(f.source), f.asOf)),
    row("world grid", numCell(num(m.grid.worldAverage.value)), m.grid.worldAverage.unit, sourceLink(m.grid.worldAverage.source), m.grid.worldAverage.asOf),
    ...(m.embodied.enabled ? m.embodied.factors.map((f) => row(`embodied: ${f.name}`, numCell(num(f.value)), f.unit, sourceLink(f.source), f.asOf)) : []),
  );
  byId("datacentre-table").tBodies[0].replaceChildren(
    ...Object.entries(m.dataCentres).map(([provider, d]) =>
      row(labelOf(PROVIDER_LABELS, provider), numCell(d.pue.low === d.pue.high ? num(d.pue.low) : `${num(d.pue.low)}–${num(d.pue.high)}`), `${d.region} (${d.cloud})`, numCell(num(m.grid.inUse[provider].gPerKwh)), sourceLink(d.source)),
    ),
  );
  byId("published-table").tBodies[0].replaceChildren(...m.publishedFigures.map((p) => row(p.what, numCell(String(p.wh)), sourceLink(p.source))));
  byId("limitations").replaceChildren(...m.limitations.map((text) => el("li", {}, text)));
}

function renderEquivalences(m, totals) {
  byId("equivalence-table").tBodies[0].replaceChildren(
    ...m.equivalences.map((f) => {
      const total = totals.equivalences[EQUIVALENCE_TOTALS[f.name]];
      return row(labelOf(EQUIVALENCE_LABELS, f.name), numCell(`${num(f.value)} ${f.unit.split(" ")[0]}`), numCell(typeof total === "number" ? fmt.amount(total) : "–"), sourceLink(f.source));
    }),
  );
}

/** Fills the panel from `GET /api/methodology`. */
export function renderMethodology(report) {
  const m = report.methodology;
  setText("methodology-version", `Method version ${m.version}, reviewed ${m.asOf}`);
  setText("formula", [...m.formula.energy, m.formula.co2e, m.formula.cost].join("\n"));
  setText("scenario-range", m.formula.range);
  renderGrid(report.grid, report.embodiedEmissions);
  renderRanges(report.totals);
  renderFactors(m);
  renderEquivalences(m, report.totals);
}

/** Fills the price tables from `GET /api/pricing`. */
export function renderPrices(pricing) {
  setText("prices-asof", `List prices as of ${pricing.asOf}; each row gives the date of its own figure.`);
  const usd = (n) => numCell(`$${num(n)}`);
  byId("price-table").tBodies[0].replaceChildren(
    ...pricing.models.map((m) => row({ attrs: { class: "mono" }, text: m.prefix }, usd(m.input), usd(m.cachedInput), usd(m.cacheWrite), usd(m.output), usd(m.reasoning), sourceLink(m.source), m.asOf)),
  );
  byId("unpriced-table").tBodies[0].replaceChildren(...pricing.unpriced.map((u) => row({ attrs: { class: "mono" }, text: u.prefix }, u.reason)));
}
