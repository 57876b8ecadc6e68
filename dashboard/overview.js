import { api, byId, colorOf, el, fmt, labelOf, PROVIDER_LABELS, setText, showError, TYPE_LABELS } from "./common.js";

const EQUIVALENCES = [
  ["webSearches", "web searches"],
  ["emails", "emails sent"],
  ["phoneCharges", "smartphone charges"],
  ["ledBulbHours", "hours of an LED bulb"],
  ["carKm", "km by car"],
];
const ACTIVITY_NAMES = { webSearch: "One web search", email: "One email", phoneCharge: "One smartphone charge", ledBulbHour: "One LED bulb for an hour", carKm: "One km in a petrol car" };

const charts = {};

function renderCards(summary, equivalences) {
  setText("stat-calls", fmt.int(summary.totalCalls));
  setText("stat-misses", `${fmt.int(summary.cacheMisses)} sent to the provider`);
  setText("stat-hits", fmt.int(summary.cacheHits));
  setText("stat-split", `${fmt.int(summary.cacheHits - summary.semanticHits)} exact · ${fmt.int(summary.semanticHits)} semantic`);
  setText("stat-rate", fmt.percent(summary.hitRate));
  byId("stat-rate-bar").style.width = `${Math.min(100, summary.hitRate * 100)}%`;
  setText("stat-tokens", fmt.compact(summary.tokensSaved));
  setText("stat-cost", fmt.usd(summary.costSavedUsd));
  setText("stat-co2", fmt.grams(summary.co2SavedG));
  setText("stat-co2-sub", `≈ ${fmt.amount(equivalences.carKm)} km by car`);
  byId("equivalences").replaceChildren(
    ...EQUIVALENCES.map(([key, label]) =>
      el("li", { "data-key": key }, el("strong", {}, fmt.amount(equivalences[key])), el("span", {}, label)),
    ),
  );
}

function renderTypeStrip(types, total) {
  const strip = byId("type-strip");
  if (total === 0) {
    strip.replaceChildren(el("span", { class: "strip-empty" }, "No calls yet"));
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
      return el("li", {}, dot, `${labelOf(TYPE_LABELS, type.key)} `, el("span", { class: "muted" }, `${fmt.percent(type.calls / total)} · ${fmt.percent(type.calls ? type.hits / type.calls : 0, 0)} hits`));
    }),
  );
}

function renderModels(models) {
  const body = byId("models-table").tBodies[0];
  if (models.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No calls yet")));
    return;
  }
  body.replaceChildren(
    ...models.map((m) =>
      el("tr", {},
        el("td", { class: "mono" }, m.key),
        el("td", { class: "num" }, fmt.int(m.calls)),
        el("td", { class: "num" }, fmt.percent(m.calls ? m.hits / m.calls : 0)),
        el("td", { class: "num" }, fmt.compact(m.tokensSaved)),
        el("td", { class: "num" }, fmt.usd(m.costSavedUsd)),
        el("td", { class: "num" }, fmt.grams(m.co2SavedG)),
      ),
    ),
  );
}

function renderTopPrompts(prompts) {
  const list = byId("top-prompts");
  if (prompts.length === 0) {
    list.replaceChildren(el("li", { class: "muted" }, "No cache hits yet."));
    return;
  }
  list.replaceChildren(
    ...prompts.map((p) =>
      el("li", {},
        el("p", { class: "prompt-text", title: p.prompt }, p.prompt || "(no text)"),
        el("p", { class: "meta" }, el("span", { class: "badge" }, `${fmt.int(p.hits)} hits`), ` ${p.model} · ${labelOf(PROVIDER_LABELS, p.provider)} · ${fmt.usd(p.costSavedUsd)} saved`),
      ),
    ),
  );
}

function renderDaily(days) {
  if (!window.Chart) return;
  const labels = days.map((d) => d.day.slice(5));
  const data = {
    labels,
    datasets: [
      { type: "line", label: "Hit rate", data: days.map((d) => (d.calls ? d.hitRate * 100 : null)), yAxisID: "rate", borderColor: "#0f766e", backgroundColor: "rgba(15,118,110,.12)", fill: true, tension: 0.3, pointRadius: 2, spanGaps: true },
      { type: "bar", label: "Calls", data: days.map((d) => d.calls), yAxisID: "calls", backgroundColor: "rgba(100,116,139,.25)", borderRadius: 3 },
    ],
  };
  const options = {
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    scales: {
      rate: { position: "left", min: 0, max: 100, ticks: { callback: (v) => `${v}%` }, grid: { color: "#eef2f7" } },
      calls: { position: "right", beginAtZero: true, grid: { display: false } },
      x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
    },
  };
  charts.daily?.destroy();
  charts.daily = new window.Chart(byId("daily-chart"), { data, options });
}

function renderProviders(providers, total) {
  byId("provider-legend").replaceChildren(
    ...providers.map((p, i) => {
      const dot = el("span", { class: "dot" });
      dot.style.background = colorOf(p.key, i);
      return el("li", {}, dot, `${labelOf(PROVIDER_LABELS, p.key)} `, el("span", { class: "muted" }, `${fmt.int(p.calls)} calls · ${fmt.percent(p.calls ? p.hits / p.calls : 0, 0)} hits`));
    }),
  );
  if (!window.Chart) return;
  charts.provider?.destroy();
  charts.provider = new window.Chart(byId("provider-chart"), {
    type: "doughnut",
    data: {
      labels: providers.map((p) => labelOf(PROVIDER_LABELS, p.key)),
      datasets: [{ data: total ? providers.map((p) => p.calls) : [1], backgroundColor: total ? providers.map((p, i) => colorOf(p.key, i)) : ["#e2e8f0"], borderWidth: 0 }],
    },
    options: { maintainAspectRatio: false, animation: false, cutout: "68%", plugins: { legend: { display: false }, tooltip: { enabled: total > 0 } } },
  });
}

function renderMethods(pricing) {
  setText("prices-asof", `Prices and factors as of ${pricing.asOf}`);
  setText("grid-factor", String(pricing.gridKgCo2PerKwh));
  const row = (name, r) =>
    el("tr", {}, el("td", { class: "mono" }, name), ...[r.inputPerMTok, r.cachedInputPerMTok, r.outputPerMTok].map((v) => el("td", { class: "num" }, `$${v}`)), el("td", { class: "num" }, String(r.co2KgPer1kOutputTokens)));
  byId("price-table").tBodies[0].replaceChildren(...pricing.models.map((m) => row(m.prefix, m)), row("(any other model)", pricing.default));
  byId("equivalence-table").tBodies[0].replaceChildren(
    ...Object.entries(pricing.equivalencesKgCo2).map(([key, kg]) => el("tr", {}, el("td", {}, labelOf(ACTIVITY_NAMES, key)), el("td", { class: "num" }, String(kg)))),
  );
}

async function load() {
  try {
    const [overview, series] = await Promise.all([api("/api/overview"), api("/api/timeseries?days=30")]);
    showError(null);
    const { summary } = overview;
    setText("source", `${fmt.int(summary.totalCalls)} calls in the usage log · updated ${new Date().toLocaleTimeString()}`);
    renderCards(summary, overview.equivalences);
    renderTypeStrip(overview.contentTypes, summary.totalCalls);
    renderModels(overview.topModels);
    renderTopPrompts(overview.topPrompts);
    renderProviders(overview.byProvider, summary.totalCalls);
    renderDaily(series.days);
    document.body.dataset.loaded = "true";
  } catch (error) {
    showError(error);
  }
}

byId("refresh").addEventListener("click", load);
api("/api/pricing").then(renderMethods, showError);
if (document.readyState === "complete") load();
else window.addEventListener("load", load);
