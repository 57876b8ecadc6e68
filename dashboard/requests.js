import { api, byId, el, emptyLogHelp, filterParams, fmt, labelOf, PROVIDER_LABELS, readFilters, renderFilterBar, showError, TYPE_LABELS } from "./common.js";

const params = new URLSearchParams(location.search);
const filters = readFilters(params);
const narrow = { q: params.get("q") ?? "", outcome: params.get("outcome") ?? "all", type: params.get("type") ?? "", prompt: params.has("prompt") ? params.get("prompt") : undefined };
let next = null;
let requestId = 0;

/** The page's state as query parameters, also written to the address. */
function query() {
  const q = filterParams(filters);
  if (narrow.q) q.set("q", narrow.q);
  if (narrow.outcome !== "all") q.set("outcome", narrow.outcome);
  if (narrow.type) q.set("type", narrow.type);
  if (narrow.prompt !== undefined) q.set("prompt", narrow.prompt);
  return q;
}

function outcomeBadge(r) {
  if (r.semanticHit) return el("span", { class: "outcome semantic" }, "Semantic hit");
  if (r.cacheHit) return el("span", { class: "outcome hit" }, "Hit");
  return el("span", { class: "outcome miss" }, r.cacheKey === null ? "Bypass" : "Miss");
}

const cell = (label, content, className) => el("td", { class: className, "data-label": label }, content);

function costText(r) {
  if (r.costUsd === null) return r.priced === false ? "no price" : "–";
  return fmt.usd(r.costUsd + (r.embeddingCostUsd ?? 0));
}

function row(r) {
  const tr = el("tr", { class: "clickable", tabindex: "0", "data-id": r.id },
    cell("Time", el("span", { title: new Date(r.timestamp).toLocaleString() }, fmt.ago(r.timestamp))),
    cell("Outcome", outcomeBadge(r)),
    cell("Prompt", el("div", { class: "prompt-text clamp" }, r.prompt || "(no text)"), "prompt-cell"),
    cell("Model", el("span", {}, el("span", { class: "mono" }, r.model), el("span", { class: "muted small" }, ` ${labelOf(PROVIDER_LABELS, r.provider)}${r.namespace ? ` · ${r.namespace}` : ""}`))),
    cell("Tokens", `${fmt.int(r.inputTokens)} → ${fmt.int(r.outputTokens)}`, "num"),
    cell("Latency", fmt.ms(r.latencyMs), "num"),
    el("td", { class: "num", "data-label": "Cost", title: r.costUsd === null ? "" : `${fmt.exact(r.costUsd)} USD` }, costText(r)),
    el("td", { class: "num", "data-label": "Saved", title: `${fmt.exact(r.costSavedUsd)} USD` }, r.cacheHit ? fmt.usd(r.costSavedUsd) : "–"),
  );
  tr.addEventListener("click", () => openDetail(r.id));
  tr.addEventListener("keydown", (event) => {
    if (event.key === "Enter") openDetail(r.id);
  });
  return tr;
}

async function load(more = false) {
  const q = query();
  history.replaceState(null, "", `?${q}`);
  for (const [id, format] of [["export-csv", "csv"], ["export-json", "json"]]) byId(id).href = `/api/export?format=${format}&${q}`;
  if (more && next) q.set("before", next);
  const id = ++requestId;
  try {
    const page = await api(`/api/requests?${q}`);
    if (id !== requestId) return;
    showError(null);
    const body = byId("requests-table").tBodies[0];
    const rows = page.records.map(row);
    if (more) body.append(...rows);
    else body.replaceChildren(...rows);
    next = page.next;
    byId("more").hidden = !next;
    byId("empty").hidden = body.rows.length > 0;
    const shown = body.rows.length;
    const info = page.total !== null && !more ? `${fmt.int(shown)} of ${fmt.int(page.total)} calls` : `${fmt.int(shown)} calls shown`;
    byId("page-info").textContent = page.searchedTo && next ? `${info} · searched back to ${new Date(page.searchedTo).toLocaleString()}` : info;
    document.body.dataset.loaded = String(id);
  } catch (error) {
    if (id === requestId) showError(error);
  }
}

function field(label, value, className) {
  return [el("dt", {}, label), el("dd", { class: className }, value)];
}

async function openDetail(id) {
  const dialog = byId("detail");
  const body = byId("detail-body");
  body.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  if (!dialog.open) dialog.showModal();
  try {
    const { record: r, entry, cache } = await api(`/api/requests/${id}`);
    byId("detail-title").textContent = `Request #${r.id}`;
    const facts = el("dl", { class: "facts" },
      ...field("When", new Date(r.timestamp).toLocaleString()),
      ...field("Outcome", outcomeBadge(r)),
      ...field("Model", `${r.model} · ${labelOf(PROVIDER_LABELS, r.provider)}`),
      ...field("Namespace", r.namespace || "(none)"),
      ...field("Content type", labelOf(TYPE_LABELS, r.promptType)),
      ...field("Tokens", `${fmt.int(r.inputTokens)} in (${fmt.int(r.cachedInputTokens ?? 0)} from the provider's cache) · ${fmt.int(r.outputTokens)} out${r.cacheHit ? ` · ${fmt.int(r.tokensSaved)} saved` : ""}`),
      ...field("Latency", fmt.ms(r.latencyMs)),
      ...field("Cost", r.costUsd === null ? (r.priced === false ? "unknown: the model has no list price" : "not recorded (logged before costs were)") : `${fmt.usd(r.costUsd)}${r.embeddingCostUsd ? ` + ${fmt.usd(r.embeddingCostUsd)} embedding` : ""}`),
      ...field("Saved", r.cacheHit ? `${fmt.usd(r.costSavedUsd)} · ${fmt.grams(r.co2SavedG)} CO₂e (central estimate)` : "–"),
      ...field(r.cacheHit ? "Footprint avoided" : "Footprint", footprintText(r)),
      ...field("Cache key", r.cacheKey ?? "none: the call bypassed the cache", "mono break"),
    );
    const parts = [el("h3", {}, "Prompt"), el("pre", { class: "prompt-full" }, r.prompt || "(no text)"), facts];
    if (r.semanticHit) {
      parts.push(el("section", { class: "semantic-match" },
        el("h3", {}, "Answered by a similar stored prompt"),
        el("pre", { class: "prompt-full", id: "matched-prompt" }, r.matchedPrompt ?? "(not recorded)"),
        el("p", {}, "Similarity ", el("strong", { id: "semantic-score" }, r.semanticScore === null ? "–" : r.semanticScore.toFixed(4)), " (cosine; the threshold in force decided it was close enough)")));
    }
    parts.push(el("h3", {}, "Cached response"));
    if (entry) {
      let shown = entry.body;
      try {
        shown = JSON.stringify(JSON.parse(entry.body), null, 2);
      } catch {}
      parts.push(el("p", { class: "muted small" }, `Stored ${new Date(entry.createdAt).toLocaleString()} in the ${cache.storage} cache ${cache.location}`), el("pre", { class: "response", id: "cached-response" }, shown.length > 20000 ? `${shown.slice(0, 20000)}\n…` : shown));
      const button = el("button", { type: "button", class: "button danger", id: "invalidate" }, "Invalidate this entry");
      const status = el("span", { class: "status", role: "status", id: "invalidate-status" });
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const done = await api(`/api/requests/${r.id}/invalidate`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
          status.textContent = done.removed ? "Removed: the next identical call goes to the provider." : "It was already gone.";
          status.className = "status ok";
        } catch (error) {
          status.textContent = error.message;
          status.className = "status bad";
          button.disabled = false;
        }
      });
      parts.push(el("div", { class: "actions" }, button, status));
    } else {
      const why = !r.cacheKey ? "This call bypassed the cache." : cache.available ? "The entry is no longer in the cache (expired, flushed or invalidated)." : `The cache cannot be read: ${cache.reason}`;
      parts.push(el("p", { class: "muted", id: "no-entry" }, why));
    }
    body.replaceChildren(...parts);
    dialog.dataset.loaded = String(r.id);
  } catch (error) {
    body.replaceChildren(el("p", { class: "banner error" }, error.message));
  }
}

async function start() {
  const types = byId("type");
  types.append(...Object.entries(TYPE_LABELS).map(([value, label]) => el("option", { value }, label)));
  types.value = narrow.type;
  byId("outcome").value = narrow.outcome;
  byId("search").value = narrow.q;
  if (narrow.prompt !== undefined) {
    const chip = byId("prompt-chip");
    chip.hidden = false;
    chip.replaceChildren(`Prompt: ${narrow.prompt.slice(0, 60)}${narrow.prompt.length > 60 ? "…" : ""} `, el("button", { type: "button", class: "link", id: "clear-prompt", "aria-label": "Show every prompt" }, "×"));
    byId("clear-prompt").addEventListener("click", () => {
      narrow.prompt = undefined;
      chip.hidden = true;
      load();
    });
  }
  try {
    const overview = await api(`/api/overview?${filterParams({ ...filters, range: "24h", provider: "", model: "", namespace: undefined })}`);
    renderFilterBar(byId("filters"), filters, overview.facets, () => load());
    if (overview.log.totalCalls === 0) {
      byId("empty-log").hidden = false;
      byId("empty-log").replaceChildren(emptyLogHelp(overview.log.path));
    }
  } catch (error) {
    showError(error);
  }
  load();
}

let typing;
byId("search").addEventListener("input", (event) => {
  clearTimeout(typing);
  typing = setTimeout(() => {
    narrow.q = event.target.value.trim();
    load();
  }, 250);
});
byId("narrow").addEventListener("submit", (event) => event.preventDefault());
byId("outcome").addEventListener("change", (event) => {
  narrow.outcome = event.target.value;
  load();
});
byId("type").addEventListener("change", (event) => {
  narrow.type = event.target.value;
  load();
});
byId("more").addEventListener("click", () => load(true));
byId("detail-close").addEventListener("click", () => byId("detail").close());
start();

/** The row's energy and CO₂e as low–high around the central estimate, and the method that computed them. */
function footprintText(r) {
  if (!r.energyWh || !r.co2eG) return `computed by method ${r.methodologyVersion ?? 1}: no range recorded (ecoai recompute adds one)`;
  const range = (x, f) => `${f(x.central)} (${f(x.low)}–${f(x.high)})`;
  const wh = (n) => `${Number(n.toPrecision(3))} Wh`;
  return `${range(r.energyWh, wh)} · ${range(r.co2eG, fmt.grams)} CO₂e at ${r.gridGPerKwh} g/kWh · method ${r.methodologyVersion}`;
}
