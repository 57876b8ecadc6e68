// Shared by every page. Everything that comes from the usage log is inserted as text (textContent
// or text nodes), never as HTML.

/** Builds an element; string children become text nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export const byId = (id) => document.getElementById(id);

// A page opened from the address `ecoai dashboard --host …` printed came with the access token; the
// cookie set with the page carries it from now on, so it leaves the address bar (and history).
const opened = new URL(location.href);
if (opened.searchParams.has("token")) {
  opened.searchParams.delete("token");
  history.replaceState(null, "", `${opened.pathname}${opened.search}${opened.hash}`);
}

export function setText(id, text) {
  const node = byId(id);
  if (node) node.textContent = text;
}

/** Fetches JSON from the dashboard's API; throws with the API's own message on failure. */
export async function api(path, init) {
  const response = await fetch(path, { ...init, headers: { accept: "application/json", ...(init?.headers ?? {}) } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

export function showError(error) {
  const banner = byId("error");
  if (!banner) return;
  banner.hidden = !error;
  banner.textContent = error ? `Could not load the data: ${error.message}` : "";
}

export { fmt, meaningfulEquivalences } from "./format.js";

export const TYPE_LABELS = {
  text: "Text",
  structured: "Structured",
  tool: "Tool",
  file: "File",
  audio: "Audio",
  image: "Image",
  image_output: "Image output",
};

export const PROVIDER_LABELS = { openai: "OpenAI", anthropic: "Anthropic", gemini: "Gemini" };

/** The same colour for the same content type or provider on every page. */
export const COLORS = {
  text: "#0f766e",
  structured: "#2563eb",
  tool: "#9333ea",
  file: "#d97706",
  audio: "#db2777",
  image: "#0891b2",
  image_output: "#65a30d",
  openai: "#10a37f",
  anthropic: "#d97757",
  gemini: "#4285f4",
};

/**
 * `table[key]` when the table itself has that key, else `fallback`: a provider, model or prompt type
 * named "constructor" or "toString" must not find what every object inherits.
 */
export function lookup(table, key, fallback) {
  return Object.hasOwn(table, key) ? table[key] : fallback;
}

/** The label of a known prompt type or provider; any other name is shown as it is. */
export const labelOf = (table, key) => lookup(table, key, String(key));

export function colorOf(key, index = 0) {
  return lookup(COLORS, key, ["#64748b", "#0ea5e9", "#f59e0b", "#ef4444"][index % 4]);
}

/** The top bar with the navigation, the current page marked. */
export function renderTopbar() {
  const current = document.body.dataset.page;
  const link = (page, href, label) => el("a", { href, class: page === current ? "active" : undefined, "aria-current": page === current ? "page" : undefined }, label);
  const bar = byId("topbar");
  bar.replaceChildren(
    el("a", { class: "brand", href: "/" }, el("img", { src: "/assets/favicon.svg", alt: "", width: 26, height: 26 }), el("span", {}, "ecoai")),
    el("nav", {}, link("overview", "/", "Overview"), link("requests", "/requests", "Requests"), link("prompts", "/prompts", "Prompts"), link("settings", "/settings", "Settings")),
  );
}

renderTopbar();

/** An amount whose exact value shows on hover (and to screen readers), in the given node. */
export function setAmount(id, text, exact) {
  const node = byId(id);
  if (!node) return;
  node.textContent = text;
  if (exact) node.title = exact;
  else node.removeAttribute("title");
}

// ---- Filters shared by the overview, the request log and the prompts ----

export const RANGES = [["24h", "24 h"], ["7d", "7 days"], ["30d", "30 days"], ["90d", "90 days"], ["custom", "Custom"]];
/** The select value that means "any namespace"; "" means calls without one. */
const ANY = "\u0000any";

/** The filters in the page's address; `fallback` is the range when it names none (`""`: all time). */
export function readFilters(params = new URLSearchParams(location.search), fallback = "30d") {
  const known = RANGES.map(([value]) => value);
  const range = known.includes(params.get("range")) ? params.get("range") : fallback;
  const day = (value) => (/^\d{4}-\d\d-\d\d$/.test(value ?? "") ? value : "");
  const today = new Date().toISOString().slice(0, 10);
  return {
    range,
    from: day(params.get("from")) || new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10),
    to: day(params.get("to")) || today,
    provider: params.get("provider") ?? "",
    model: params.get("model") ?? "",
    namespace: params.has("namespace") ? params.get("namespace") : undefined,
  };
}

/** The filters as query parameters (the API's and the address's). */
export function filterParams(filters) {
  const query = new URLSearchParams();
  if (filters.range) query.set("range", filters.range);
  if (filters.range === "custom") {
    query.set("from", filters.from);
    query.set("to", filters.to);
  }
  if (filters.provider) query.set("provider", filters.provider);
  if (filters.model) query.set("model", filters.model);
  if (filters.namespace !== undefined) query.set("namespace", filters.namespace);
  return query;
}

/** The request log of one prompt (its text, model, provider, namespace and type) under `filters`. */
export function promptRequestsHref(prompt, filters) {
  const query = filterParams(filters);
  query.set("prompt", prompt.prompt);
  query.set("model", prompt.model);
  query.set("provider", prompt.provider);
  query.set("namespace", prompt.namespace);
  query.set("type", prompt.promptType);
  return `/requests?${query}`;
}

/**
 * Draws the range chips, custom days and the provider, model and namespace menus into `bar`;
 * `onChange(filters)` runs after every change. `allTime` adds an "All time" range.
 */
export function renderFilterBar(bar, filters, facets, onChange, { allTime = false } = {}) {
  const ranges = allTime ? [["", "All time"], ...RANGES] : RANGES;
  const chips = el("div", { class: "chips", role: "radiogroup", "aria-label": "Time range" },
    ...ranges.map(([value, label]) => el("button", { type: "button", class: value === filters.range ? "chip active" : "chip", role: "radio", "aria-checked": String(value === filters.range), "data-range": value }, label)));
  const from = el("input", { type: "date", id: "range-from", value: filters.from, "aria-label": "From (UTC day)" });
  const to = el("input", { type: "date", id: "range-to", value: filters.to, "aria-label": "To (UTC day, included)" });
  const custom = el("span", { class: "custom-range", hidden: filters.range !== "custom" }, from, el("span", { class: "muted" }, "to"), to);
  const menu = (id, label, all, values, current, name = (v) => v) => {
    const select = el("select", { id, "aria-label": label }, el("option", { value: all }, label), ...values.map((value) => el("option", { value }, name(value))));
    select.value = current;
    return select;
  };
  const provider = menu("filter-provider", "All providers", "", facets.providers, filters.provider, (v) => labelOf(PROVIDER_LABELS, v));
  const model = menu("filter-model", "All models", "", facets.models, filters.model);
  const namespace = menu("filter-namespace", "All namespaces", ANY, facets.namespaces, filters.namespace ?? ANY, (v) => (v === "" ? "(no namespace)" : v));
  const changed = () => {
    filters.provider = provider.value;
    filters.model = model.value;
    filters.namespace = namespace.value === ANY ? undefined : namespace.value;
    filters.from = from.value || filters.from;
    filters.to = to.value || filters.to;
    onChange(filters);
  };
  chips.addEventListener("click", (event) => {
    const chip = event.target.closest("[data-range]");
    if (!chip) return;
    filters.range = chip.dataset.range;
    for (const node of chips.children) {
      node.classList.toggle("active", node === chip);
      node.setAttribute("aria-checked", String(node === chip));
    }
    custom.hidden = filters.range !== "custom";
    changed();
  });
  for (const input of [provider, model, namespace, from, to]) input.addEventListener("change", changed);
  bar.replaceChildren(chips, custom, el("span", { class: "menus" }, provider, model, namespace));
}

/** A line saying how to get data into an empty log. */
export function emptyLogHelp(logPath) {
  return el("div", { class: "empty-log" },
    el("h2", {}, "No calls logged yet"),
    el("p", {}, "This dashboard reads ", el("code", {}, logPath), ". Calls appear here as they are made through EcoAI with that log:"),
    el("pre", {}, `import { EcoAI } from "ecoai";\nconst eco = new EcoAI({ client: new OpenAI(), logPath: ${JSON.stringify(logPath)} });`),
    el("p", {}, "Or try it offline first: ", el("code", {}, "npx ecoai demo"), " (", el("code", {}, "bunx ecoai demo"), " under Bun) plays a short session and prints the dashboard command for its log."));
}
