import { api, byId, showError } from "./common.js";

const form = byId("settings-form");
const FIELDS = ["cachingEnabled", "mode", "ttl", "semanticEnabled", "semanticThreshold"];

let context = { environment: {}, variables: {} };

/** Where each value comes from: the file or the default, and an environment variable that would win over both. */
function showSources(settings) {
  for (const name of FIELDS) {
    const node = form.querySelector(`[data-source="${name}"]`);
    const fromFile = Object.hasOwn(settings, name);
    const env = context.environment[name];
    const parts = [fromFile ? "Set in the settings file." : "Not in the file: the default applies."];
    if (env) parts.push(`${env.variable}=${env.value} is set where this dashboard runs: an app started with it ignores this field.`);
    else if (context.variables[name]) parts.push(`${context.variables[name]} or a constructor option would win over it.`);
    else parts.push("A constructor option would win over it.");
    node.textContent = parts.join(" ");
  }
}

/** Fields that do nothing with the others as they are set are disabled, with the reason. */
function updateDisabled() {
  const value = (name) => form.elements.namedItem(name);
  const caching = value("cachingEnabled").checked;
  const reasons = {
    mode: caching ? "" : "Caching is off: every call goes to the provider, so the mode changes nothing.",
    ttl: !caching ? "Caching is off." : value("mode").value === "dev" ? "Dev mode: entries never expire; the TTL applies in prod mode." : "",
    semanticEnabled: caching ? "" : "Caching is off.",
    semanticThreshold: !caching ? "Caching is off." : !value("semanticEnabled").checked ? "Semantic caching is off: turn it on for the threshold to apply." : "",
  };
  for (const [name, reason] of Object.entries(reasons)) {
    value(name).disabled = reason !== "";
    const field = value(name).closest(".field");
    field.classList.toggle("inactive", reason !== "");
    let note = field.querySelector(".disabled-reason");
    if (!note) {
      note = document.createElement("p");
      note.className = "disabled-reason";
      field.append(note);
    }
    note.textContent = reason;
  }
}

/** The grid intensity new rows are computed with, and which option, variable or file set it. */
function showGrid(grid) {
  if (!grid) return;
  byId("grid-value").textContent = `${grid.gPerKwh} g CO₂e/kWh`;
  const basis = { user: "(your own figure)", region: `(the ${grid.region} grid)`, "provider-region": "(each provider's data-centre country)", "world-average": "(world average, 2024)" };
  byId("grid-basis").textContent = basis[grid.basis] ?? "";
  byId("grid-source").textContent = grid.setBy === "default" ? `The default: no option, variable or settings field sets it (default ${grid.defaultGPerKwh} g/kWh).` : `Set by ${grid.setBy.option}, from ${grid.setBy.source}.`;
  byId("grid-variables").textContent = `${grid.variables.gridIntensityGPerKwh} / ${grid.variables.gridRegion} / ${grid.variables.embodiedEmissions}`;
}

function fill({ path, settings, defaults, environment, variables, grid }) {
  if (environment) context = { environment, variables };
  showGrid(grid);
  byId("settings-path").textContent = path;
  for (const name of FIELDS) {
    const input = form.elements.namedItem(name);
    const value = settings[name] ?? defaults[name];
    if (input.type === "checkbox") input.checked = value;
    else input.value = String(value);
  }
  showSources(settings);
  updateDisabled();
  const set = Object.values(context.environment).map((e) => `${e.variable}=${e.value}`);
  byId("environment-note").textContent = set.length ? `Set where this dashboard runs: ${set.join(", ")}.` : "No ECOAI_* variable for these settings is set where this dashboard runs.";
}

form.addEventListener("change", updateDisabled);

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
