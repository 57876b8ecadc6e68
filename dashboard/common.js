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

export { fmt } from "./format.js";

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
    el("nav", {}, link("overview", "/", "Overview"), link("prompts", "/prompts", "Prompts"), link("settings", "/settings", "Settings")),
  );
}

renderTopbar();
