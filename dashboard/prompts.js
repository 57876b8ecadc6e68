import { api, byId, el, filterParams, fmt, labelOf, promptRequestsHref, PROVIDER_LABELS, readFilters, renderFilterBar, showError, TYPE_LABELS } from "./common.js";

const FILTERS = [["all", "All"], ["exact", "Exact hits"], ["semantic", "Semantic hits"], ...Object.entries(TYPE_LABELS)];

// The page's state lives in the address, so a filtered view can be reloaded or shared.
const params = new URLSearchParams(location.search);
const known = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);
const state = {
  q: (params.get("q") ?? "").trim().slice(0, 200),
  filter: known(params.get("filter"), FILTERS.map(([value]) => value), "all"),
  sort: known(params.get("sort"), ["recent", "hits"], "recent"),
  page: Math.max(1, Math.floor(Number(params.get("page"))) || 1),
};
// All time unless the address names a range.
const filters = readFilters(params, "");

let pages = 1;
let requestId = 0;

function renderChips() {
  byId("filter-chips").replaceChildren(
    ...FILTERS.map(([value, label]) =>
      el("button", { type: "button", class: value === state.filter ? "chip active" : "chip", role: "radio", "aria-checked": value === state.filter ? "true" : "false", "data-filter": value }, label),
    ),
  );
}

function promptCell(p) {
  const text = p.prompt || "(no text)";
  const cell = el("td", { class: "prompt-cell", "data-label": "Prompt" });
  const body = el("div", { class: "prompt-text clamp" }, text);
  cell.append(body);
  if (text.length > 90) {
    const toggle = el("button", { type: "button", class: "link expand", "aria-expanded": "false" }, "Show all");
    toggle.addEventListener("click", () => {
      const open = body.classList.toggle("clamp") === false;
      toggle.textContent = open ? "Show less" : "Show all";
      toggle.setAttribute("aria-expanded", String(open));
    });
    cell.append(toggle);
  }
  return cell;
}

function hitsCell(p) {
  const cell = el("td", { class: "num", "data-label": "Hits" }, el("strong", {}, fmt.int(p.hits)));
  if (p.hits > 0) cell.append(el("div", { class: "muted small" }, `${fmt.int(p.exactHits)} exact · ${fmt.int(p.semanticHits)} sem.`));
  return cell;
}

/** The request log of one prompt, under the same filters; "All time" opens the request log's longest range. */
const requestsOf = (p) => promptRequestsHref(p, { ...filters, range: filters.range || "90d" });

function render(result) {
  const rows = result.prompts.map((p) =>
    el("tr", {},
      promptCell(p),
      el("td", { "data-label": "Type" }, el("span", { class: `type type-${p.promptType}` }, labelOf(TYPE_LABELS, p.promptType))),
      el("td", { "data-label": "Model" }, el("div", {}, el("div", { class: "mono" }, p.model), el("div", { class: "muted small" }, `${labelOf(PROVIDER_LABELS, p.provider)}${p.namespace ? ` · ${p.namespace}` : ""}`))),
      el("td", { class: "num", "data-label": "Calls" }, fmt.int(p.calls)),
      hitsCell(p),
      el("td", { class: "num", "data-label": "Saved", title: `${fmt.exact(p.costSavedUsd)} USD` }, fmt.usd(p.costSavedUsd)),
      el("td", { "data-label": "Last seen", title: new Date(p.lastSeen).toLocaleString() }, fmt.ago(p.lastSeen)),
      el("td", { "data-label": "" }, el("a", { class: "small", href: requestsOf(p) }, "Requests →")),
    ),
  );
  byId("prompts-table").tBodies[0].replaceChildren(...rows);
  byId("empty").hidden = rows.length > 0;
  pages = result.pages;
  state.page = result.page;
  byId("page-info").textContent = `Page ${result.page} of ${result.pages} · ${fmt.int(result.total)} prompt${result.total === 1 ? "" : "s"}`;
  byId("prev").disabled = result.page <= 1;
  byId("next").disabled = result.page >= result.pages;
}

/** The state as query parameters, also written to the address. */
function address() {
  const query = filterParams(filters);
  if (state.q) query.set("q", state.q);
  if (state.filter !== "all") query.set("filter", state.filter);
  if (state.sort !== "recent") query.set("sort", state.sort);
  if (state.page > 1) query.set("page", String(state.page));
  history.replaceState(null, "", query.size ? `?${query}` : location.pathname);
  return query;
}

async function load() {
  const query = address();
  const id = ++requestId;
  try {
    const result = await api(`/api/prompts?${query}`);
    if (id !== requestId) return; // a newer search has been sent meanwhile
    showError(null);
    render(result);
    address(); // the API answers the last page for one past the end
    document.body.dataset.loaded = String(id);
  } catch (error) {
    if (id === requestId) showError(error);
  }
}

let typing;
byId("search").value = state.q;
byId("search").addEventListener("input", (event) => {
  clearTimeout(typing);
  typing = setTimeout(() => {
    state.q = event.target.value.trim();
    state.page = 1;
    load();
  }, 200);
});
byId("filters").addEventListener("submit", (event) => event.preventDefault());
byId("filter-chips").addEventListener("click", (event) => {
  const chip = event.target.closest("[data-filter]");
  if (!chip) return;
  state.filter = chip.dataset.filter;
  state.page = 1;
  renderChips();
  load();
});
byId("sort").value = state.sort;
byId("sort").addEventListener("change", (event) => {
  state.sort = event.target.value;
  state.page = 1;
  load();
});
byId("prev").addEventListener("click", () => {
  if (state.page > 1) state.page--;
  load();
});
byId("next").addEventListener("click", () => {
  if (state.page < pages) state.page++;
  load();
});

renderChips();
api(`/api/overview?range=24h`).then(
  (overview) => renderFilterBar(byId("range-filters"), filters, overview.facets, () => {
    state.page = 1;
    load();
  }, { allTime: true }),
  showError,
);
load();
