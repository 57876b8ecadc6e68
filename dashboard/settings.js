import { api, byId, showError } from "./common.js";

const form = byId("settings-form");
const FIELDS = ["cachingEnabled", "mode", "ttl", "semanticEnabled", "semanticThreshold"];

function fill({ path, settings, defaults }) {
  byId("settings-path").textContent = path;
  for (const name of FIELDS) {
    const input = form.elements.namedItem(name);
    const value = settings[name] ?? defaults[name];
    if (input.type === "checkbox") input.checked = value;
    else input.value = String(value);
  }
}

/**
 * The form as the API takes it: an empty number field clears the setting (its default applies).
 * Text the browser cannot read as a number also shows as an empty value, so it is caught here
 * instead of silently clearing the setting.
 */
function read() {
  const body = {};
  const errors = {};
  for (const name of FIELDS) {
    const input = form.elements.namedItem(name);
    if (input.type === "checkbox") body[name] = input.checked;
    else if (input.type === "number" && input.validity.badInput) errors[name] = "Enter a number.";
    else if (input.type === "number") body[name] = input.value.trim() === "" ? null : Number(input.value);
    else body[name] = input.value;
  }
  return { body, errors };
}

function showFieldErrors(errors = {}) {
  for (const node of form.querySelectorAll(".field-error")) {
    const message = errors[node.dataset.for] ?? "";
    node.textContent = message;
    node.closest(".field").classList.toggle("invalid", message !== "");
  }
}

function status(text, kind) {
  const node = byId("status");
  node.textContent = text;
  node.className = `status ${kind ?? ""}`;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { body, errors } = read();
  if (Object.keys(errors).length > 0) {
    showFieldErrors(errors);
    status("Some settings are not valid; nothing was saved.", "bad");
    return;
  }
  status("Saving…");
  try {
    const saved = await api("/api/settings", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    showFieldErrors();
    fill(saved);
    status("Saved.", "ok");
  } catch (error) {
    showFieldErrors(error.body?.errors);
    status(error.message, "bad");
  }
});

api("/api/settings").then(
  (settings) => {
    fill(settings);
    document.body.dataset.loaded = "true";
  },
  (error) => {
    if (error.body?.defaults) fill(error.body);
    showError(error);
  },
);
