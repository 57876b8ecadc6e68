import {
  api, byId, colorOf, el, emptyLogHelp, filterParams, fmt, labelOf, meaningfulEquivalences, promptRequestsHref, PROVIDER_LABELS, readFilters, renderFilterBar, setAmount, setText, showError, TYPE_LABELS,
} from "./common.js";
import { renderMethodology, renderPrices } from "./methodology.js";

const LIVE_KEY = "ecoai.overview.live";
const LIVE_EVERY_MS = 5000;

const filters = readFilters();
const charts = {};
let facetsShown = "";
let loading = false;

/** An amount as its readable form, the exact value on hover. */
function money(id, usd) {
  setAmount(id, fmt.usd(usd), `${fmt.exact(usd)} USD`);
}

function renderCards(t, equivalences) {
  setText("stat-calls", fmt.int(t.calls));
  setText("stat-misses", `${fmt.int(t.calls - t.hits)} sent to the provider`);
  setText("stat-hits", fmt.int(t.hits));
  setText("stat-split", `${fmt.int(t.exactHits)} exact · ${fmt.int(t.semanticHits)} semantic`);
  setText("stat-rate", fmt.percent(t.hitRate));
  byId("stat-rate-bar").style.width = `${Math.min(100, t.hitRate * 100)}%`;
  setAmount("stat-tokens", fmt.compact(t.tokensSaved), `${fmt.int(t.tokensSaved)} tokens`);
  money("stat-spent", t.spentUsd);
  setText("stat-spent-sub", t.embeddingCostUsd > 0 ? `${fmt.usd(t.embeddingCostUsd)} of it embeddings` : "paid to providers, at list price");
  money("stat-saved", t.savedUsd);
  money("stat-net", t.netSavedUsd);
  const without = t.spentUsd - t.embeddingCostUsd + t.savedUsd;
  setText("stat-net-sub", without > 0 ? `you paid ${fmt.percent(t.spentUsd / without, 0)} of what these calls cost without the cache` : "saved, less embeddings");
  setAmount("stat-co2", fmt.grams(t.co2SavedG), `${fmt.exact(t.co2SavedG)} g CO₂`);
  const items = meaningfulEquivalences(equivalences);
  const best = items.at(-1);
  setText("stat-co2-sub", best ? `≈ ${best.text}${best.unit ? ` ${best.unit}` : ""} ${best.label} (central estimate)` : "central estimate; its range is under How the numbers are computed");
  byId("equivalences").replaceChildren(
    ...(items.length
      ? items.map((item) => el("li", { "data-key": item.key }, el("strong", {}, `${item.text}${item.unit ? ` ${item.unit}` : ""}`), el("span", {}, item.label)))
      : [el("li", { class: "none" }, el("span", {}, "Too little CO₂ saved so far to compare with an everyday activity (the smallest here, one web search, is 0.2 g)."))]),
  );
}

function renderTypeStrip(types, total) {
  const strip = byId("type-strip");
  if (total === 0) {
    strip.replaceChildren(el("span", { class: "strip-empty" }, "No calls in this range"));
    byId("type-legend").replaceChildren();
    return;
  }
  strip.replaceChildren(
    ...types.map((type, i) => {
      const part = el("span", { class: "strip-part", title: `${labelOf(TYPE_LABELS, type.key)}: ${fmt.int(type.calls)} calls` });
      part.style.flexGrow = String(type.calls);
      part.style.background = colorOf(type.key, i);
      return part;
    }),
  );
  byId("type-legend").replaceChildren(
    ...types.map((type, i) => {
      const dot = el("span", { class: "dot" });
      dot.style.background = colorOf(type.key, i);
      return el("li", {}, dot, `${labelOf(TYPE_LABELS, type.key)} `, el("span", { class: "muted" }, `${fmt.percent(type.calls / total)} · ${fmt.percent(type.hitRate, 0)} hits`));
    }),
  );
}

/** A table cell with its column's name, which a phone shows beside the value (tables become cards). */
const cell = (label, content, className) => el("td", { class: className, "data-label": label }, content);
const moneyCell = (label, usd) => el("td", { class: "num", "data-label": label, title: `${fmt.exact(usd)} USD` }, fmt.usd(usd));

function renderBreakdown(id, rows, first, name = (key) => key) {
  const body = byId(id).tBodies[0];
  const columns = byId(id).tHead.rows[0].cells.length;
  if (rows.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: columns, class: "muted" }, "No calls in this range")));
    return;
  }
  body.replaceChildren(
    ...rows.map((row) => {
      const unpriced = row.unpricedCalls > 0 ? el("span", { class: "flag", title: `${fmt.int(row.unpricedCalls)} calls of a model without a list price: not in spent or saved` }, "no price") : null;
      const cells = [
        cell(first, el("span", { class: "mono" }, name(row.key)), "name"),
        cell("Calls", fmt.int(row.calls), "num"),
        cell("Hit rate", fmt.percent(row.hitRate), "num"),
        moneyCell("Spent", row.spentUsd),
        moneyCell("Saved", row.savedUsd),
      ];
      if (columns > 5) cells.push(el("td", { class: "num", "data-label": "CO₂ saved", title: `${fmt.exact(row.co2SavedG)} g` }, fmt.grams(row.co2SavedG)));
      if (unpriced) cells[0].append(" ", unpriced);
      return el("tr", {}, ...cells);
    }),
  );
}

function renderLatency(latency) {
  const row = (label, stats) => el("tr", {}, cell("", label, "name"), cell("Calls", fmt.int(stats.calls), "num"), cell("p50", fmt.ms(stats.p50), "num"), cell("p95", fmt.ms(stats.p95), "num"));
  const rows = [row("Hits", latency.hits), row("Misses", latency.misses)];
  if (latency.semantic.calls > 0) rows.splice(1, 0, row("· exact hits", latency.exact), row("· semantic hits", latency.semantic));
  byId("latency-table").tBodies[0].replaceChildren(...rows);
}

function renderTopPrompts(prompts) {
  const list = byId("top-prompts");
  if (prompts.length === 0) {
    list.replaceChildren(el("li", { class: "muted" }, "No cache hits in this range."));
    return;
  }
  list.replaceChildren(
    ...prompts.map((p) =>
      el("li", {},
        el("a", { class: "prompt-text", title: p.prompt, href: promptRequestsHref(p, filters) }, p.prompt || "(no text)"),
        el("p", { class: "meta" }, el("span", { class: "badge" }, `${fmt.int(p.hits)} hits`), ` ${p.model} · ${labelOf(PROVIDER_LABELS, p.provider)} · ${fmt.usd(p.costSavedUsd)} saved`),
      ),
    ),
  );
}

/** Axis and tooltip settings every chart shares: whole numbers for counts, "%" for rates. */
const COUNT_TICKS = { precision: 0 };

function periodLabel(period, grain) {
  return grain === "hour" ? `${period.slice(11, 13)}:00` : period.slice(5);
}

function draw(name, canvas, config) {
  if (!window.Chart) return;
  charts[name]?.destroy();
  charts[name] = new window.Chart(byId(canvas), config);
}

function renderSeries(series, grain) {
  const labels = series.map((p) => periodLabel(p.period, grain));
  const base = { maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false }, plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } };
  draw("money", "money-chart", {
    type: "bar",
    data: {
      labels,
      datasets: [
        { label: "Spent", data: series.map((p) => p.spentUsd), backgroundColor: "rgba(100,116,139,.55)", borderRadius: 3 },
        { label: "Saved", data: series.map((p) => p.savedUsd), backgroundColor: "rgba(15,118,110,.75)", borderRadius: 3 },
      ],
    },
    options: { ...base, scales: { y: { beginAtZero: true, ticks: { callback: (v) => fmt.usd(v) } }, x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } } }, plugins: { ...base.plugins, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmt.usd(c.parsed.y)}` } } } },
  });
  const rate = (part, p) => (p.calls ? (part / p.calls) * 100 : null);
  draw("rate", "rate-chart", {
    data: {
      labels,
      datasets: [
        { type: "bar", label: "Exact hits", data: series.map((p) => rate(p.exactHits, p)), stack: "rate", yAxisID: "rate", backgroundColor: "#0f766e", borderRadius: 2 },
        { type: "bar", label: "Semantic hits", data: series.map((p) => rate(p.semanticHits, p)), stack: "rate", yAxisID: "rate", backgroundColor: "#2563eb", borderRadius: 2 },
        { type: "line", label: "Calls", data: series.map((p) => p.calls), yAxisID: "calls", borderColor: "#94a3b8", pointRadius: 0, tension: 0.3 },
      ],
    },
    options: {
      ...base,
      scales: {
        rate: { stacked: true, position: "left", min: 0, max: 100, ticks: { callback: (v) => `${v}%` } },
        calls: { position: "right", beginAtZero: true, grid: { display: false }, ticks: COUNT_TICKS },
        x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
      },
      plugins: { ...base.plugins, tooltip: { callbacks: { label: (c) => (c.dataset.yAxisID === "rate" ? `${c.dataset.label}: ${c.parsed.y === null ? "–" : `${c.parsed.y.toFixed(1)}%`}` : `Calls: ${fmt.int(c.parsed.y)}`) } } },
    },
  });
}

function renderProviders(providers, total) {
  byId("provider-legend").replaceChildren(
    ...providers.map((p, i) => {
      const dot = el("span", { class: "dot" });
      dot.style.background = colorOf(p.key, i);
      return el("li", {}, dot, `${labelOf(PROVIDER_LABELS, p.key)} `, el("span", { class: "muted" }, `${fmt.int(p.calls)} calls · ${fmt.percent(p.hitRate, 0)} hits`));
    }),
  );
  draw("provider", "provider-chart", {
    type: "doughnut",
    data: {
      labels: providers.map((p) => labelOf(PROVIDER_LABELS, p.key)),
      datasets: [{ data: total ? providers.map((p) => p.calls) : [1], backgroundColor: total ? providers.map((p, i) => colorOf(p.key, i)) : ["#e2e8f0"], borderWidth: 0 }],
    },
    options: { maintainAspectRatio: false, animation: false, cutout: "68%", plugins: { legend: { display: false }, tooltip: { enabled: total > 0, callbacks: { label: (c) => `${c.label}: ${fmt.int(c.parsed)} calls (${fmt.percent(c.parsed / total)})` } } } },
  });
}

function renderFilters(facets) {
  // Redrawn only when the menus' choices change, so a live refresh never closes an open menu.
  const key = JSON.stringify(facets);
  if (key === facetsShown) return;
  facetsShown = key;
  renderFilterBar(byId("filters"), filters, facets, () => {
    history.replaceState(null, "", `?${filterParams(filters)}`);
    load();
  });
}

/** Shadow and verified modes' checks over the whole log (`summary()`); the panel shows only once there are any. */
function renderChecks(summary) {
  const { shadow, verificationCalls } = summary;
  byId("semantic-checks").hidden = shadow.checks === 0 && verificationCalls === 0;
  setText(
    "shadow-result",
    shadow.checks === 0
      ? "No shadow checks yet: with semantic: { shadow: true }, each match the cache would serve is compared with the provider's answer."
      : `Shadow mode: ${fmt.int(shadow.checks)} matches checked; the stored answer agreed with the provider's in ${fmt.percent(shadow.agreementRate)} (95% interval ${fmt.percent(shadow.interval[0])}–${fmt.percent(shadow.interval[1])}). Serving them would have given a wrong answer in the rest.`,
  );
  setText("verification-result", verificationCalls === 0 ? "" : `Verified mode: ${fmt.int(verificationCalls)} calls went to the provider to check a semantic match (counted in spent).`);
}

async function load() {
  if (loading) return;
  loading = true;
  const query = filterParams(filters);
  for (const [id, format] of [["export-csv", "csv"], ["export-json", "json"]]) byId(id).href = `/api/export?format=${format}&${query}`;
  byId("all-prompts").href = `/prompts?${query}`;
  try {
    const [o, methodology] = await Promise.all([api(`/api/overview?${query}`), api("/api/methodology")]);
    renderMethodology(methodology);
    showError(null);
    renderFilters(o.facets);
    const empty = o.log.totalCalls === 0;
    byId("empty-log").hidden = !empty;
    if (empty) byId("empty-log").replaceChildren(emptyLogHelp(o.log.path));
    byId("unpriced").hidden = o.unpricedModels.length === 0;
    setText("unpriced", `No list price for ${o.unpricedModels.join(", ")}: their calls are left out of spent and saved. Give them a price with EcoAI's pricing option.`);
    setText("source", `${fmt.int(o.totals.calls)} calls in this range, ${fmt.int(o.log.totalCalls)} in the log · updated ${new Date().toLocaleTimeString()}`);
    setText("series-label", o.window.grain === "hour" ? "per hour, UTC" : "per day, UTC");
    renderCards(o.totals, o.equivalences);
    renderSeries(o.series, o.window.grain);
    renderLatency(o.latency);
    renderTypeStrip(o.contentTypes, o.totals.calls);
    renderBreakdown("models-table", o.byModel, "Model");
    renderBreakdown("namespaces-table", o.byNamespace, "Namespace", (key) => (key === "" ? "(none)" : key));
    renderProviders(o.byProvider, o.totals.calls);
    renderTopPrompts(o.topPrompts);
    renderChecks(await api("/api/summary"));
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1);
  } catch (error) {
    showError(error);
  } finally {
    loading = false;
  }
}

// Live: on unless the user turned it off here; paused while the page is hidden.
const live = byId("live");
live.checked = localStorage.getItem(LIVE_KEY) !== "off";
live.addEventListener("change", () => localStorage.setItem(LIVE_KEY, live.checked ? "on" : "off"));
setInterval(() => {
  if (live.checked && document.visibilityState === "visible") load();
}, LIVE_EVERY_MS);

byId("refresh").addEventListener("click", load);
api("/api/pricing").then(renderPrices, showError);
if (document.readyState === "complete") load();
else window.addEventListener("load", load);
