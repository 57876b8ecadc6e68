/**
 * The filters every dashboard view follows, read from the query string: a time range (the last 24
 * hours by the hour, the last 7, 30 or 90 UTC days, or custom days) and a provider, model and
 * namespace. The pages keep them in their address, so a filtered view can be reloaded or shared.
 * @module
 */
import type { SqlValue } from "../sqlite/database.ts";
import type { Provider } from "../types.ts";
import { BadRequest, oneOf, textParam } from "./http.ts";
import type { Grain } from "./rollup-schema.ts";

export const RANGES = ["24h", "7d", "30d", "90d", "custom"] as const;
export type RangeName = (typeof RANGES)[number];
export const PROVIDERS: readonly Provider[] = ["openai", "anthropic", "gemini"];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The longest custom range, so a mistyped year cannot ask for a series of a million days. */
const MAX_CUSTOM_DAYS = 3660;

/** A time range as the queries use it. */
export interface Window {
  range: RangeName;
  grain: Grain;
  /** Every period of the range, oldest first: `2026-11-29` (days) or `2026-11-29T17` (hours). */
  periods: string[];
  /** ISO timestamps: `from` included, `to` excluded. */
  from: string;
  to: string;
}

export interface Filters {
  window: Window;
  provider?: Provider;
  model?: string;
  /** `""`: calls made without a namespace. */
  namespace?: string;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function parseDay(params: URLSearchParams, name: string): number {
  const raw = params.get(name) ?? "";
  const ms = /^\d{4}-\d\d-\d\d$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || isoDay(ms) !== raw) throw new BadRequest(`${name} must be a day such as 2026-11-01 (with range=custom), got ${JSON.stringify(raw)}`);
  return ms;
}

/** The range a query string asks for, ending `now`; 30 days when it names none. */
export function parseWindow(params: URLSearchParams, now: Date, fallback: RangeName = "30d"): Window {
  const range = oneOf(params, "range", RANGES, fallback);
  if (range === "24h") {
    const last = Math.floor(now.getTime() / HOUR) * HOUR;
    const periods = Array.from({ length: 24 }, (_, i) => new Date(last - (23 - i) * HOUR).toISOString().slice(0, 13));
    return { range, grain: "hour", periods, from: new Date(last - 23 * HOUR).toISOString(), to: new Date(last + HOUR).toISOString() };
  }
  let first: number;
  let lastDay: number;
  if (range === "custom") {
    first = parseDay(params, "from");
    lastDay = parseDay(params, "to");
    if (lastDay < first) throw new BadRequest(`from (${params.get("from")}) must not be after to (${params.get("to")})`);
    if ((lastDay - first) / DAY >= MAX_CUSTOM_DAYS) throw new BadRequest(`a custom range may span at most ${MAX_CUSTOM_DAYS} days`);
  } else {
    lastDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    first = lastDay - (Number.parseInt(range, 10) - 1) * DAY;
  }
  const periods = Array.from({ length: Math.round((lastDay - first) / DAY) + 1 }, (_, i) => isoDay(first + i * DAY));
  return { range, grain: "day", periods, from: new Date(first).toISOString(), to: new Date(lastDay + DAY).toISOString() };
}

/** Range, provider, model and namespace from a query string (`namespace=` with no value: calls without one). */
export function parseFilters(params: URLSearchParams, now: Date, fallback?: RangeName): Filters {
  const filters: Filters = { window: parseWindow(params, now, fallback) };
  if (params.get("provider")) filters.provider = oneOf(params, "provider", PROVIDERS, "openai");
  const model = textParam(params, "model", 200);
  if (model !== undefined) filters.model = model;
  const namespace = textParam(params, "namespace", 200, { emptyIsValue: true });
  if (namespace !== undefined) filters.namespace = namespace;
  return filters;
}

/** A WHERE clause being built, with its parameters. */
export class Where {
  readonly clauses: string[] = [];
  readonly params: SqlValue[] = [];

  add(clause: string, ...params: SqlValue[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  /** Provider, model and namespace, as columns of the table queried (`alias.` prefixed when given). */
  dimensions(filters: Filters, alias = ""): this {
    if (filters.provider !== undefined) this.add(`${alias}provider = ?`, filters.provider);
    if (filters.model !== undefined) this.add(`${alias}model = ?`, filters.model);
    if (filters.namespace !== undefined) this.add(`${alias}namespace = ?`, filters.namespace);
    return this;
  }

  /** `column` contains `text`, literally (`%` and `_` are no wildcards) and in any case. */
  contains(column: string, text: string): this {
    return this.add(`${column} LIKE ? ESCAPE '\\'`, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }

  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(" AND ")}` : "";
  }
}
