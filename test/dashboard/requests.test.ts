import { expect, test } from "bun:test";
import { join } from "node:path";
import { parseFilters } from "../../src/dashboard/filters.ts";
import { createRollup } from "../../src/dashboard/rollup.ts";
import { EXPORT_FIELDS, exportResponse } from "../../src/dashboard/export.ts";
import { iterateRequests, queryRequests } from "../../src/dashboard/requests.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { tempDir } from "../temp.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";

// Calls logged in the same millisecond (one process flushing a batch) fall on both sides of a
// page's or an export batch's edge: none may be skipped or repeated.
const NOW = new Date("2026-11-29T17:30:00Z");
const dbPath = join(tempDir(), "usage.db");
const ROWS: (SeedRow & { id: number })[] = Array.from({ length: 23 }, (_, i) => ({
  id: i + 1,
  timestamp: new Date(NOW.getTime() - 3_600_000 + Math.floor(i / 4) * 1000).toISOString(),
  model: i % 3 === 0 ? "gpt-4o-mini" : "gpt-4o",
  cacheHit: i % 2 === 0,
  prompt: `question ${i % 5}`,
}));
seedUsageLog(dbPath, ROWS);
const db = openDatabase(dbPath);
const rollup = createRollup(db, () => NOW);
rollup.refresh();
const filters = (query: string) => parseFilters(new URLSearchParams(query), NOW);
const newestFirst = (rows: typeof ROWS) => [...rows].sort((a, b) => (a.timestamp! < b.timestamp! ? 1 : a.timestamp! > b.timestamp! ? -1 : b.id - a.id)).map((r) => r.id);

test.each([1, 3, 4, 5])("an export in batches of %i rows holds every selected call once, oldest first", (batch) => {
  const ids = [...iterateRequests(db, { filters: filters("range=24h"), outcome: "all" }, batch)].flat().map((r) => r.id);
  expect(ids).toEqual(newestFirst(ROWS).reverse());
  const hits = [...iterateRequests(db, { filters: filters("range=24h&model=gpt-4o"), outcome: "hit" }, batch)].flat().map((r) => r.id);
  expect(hits).toEqual(newestFirst(ROWS.filter((r) => r.cacheHit && r.model === "gpt-4o")).reverse());
});

test.each([1, 3, 4, 5])("pages of %i calls go through every selected call once, newest first", (limit) => {
  for (const [query, keep] of [["range=24h", () => true], ["range=24h&model=gpt-4o", (r: SeedRow) => r.model === "gpt-4o"]] as const) {
    const seen: number[] = [];
    let before: string | undefined;
    for (let page = 0; page < 50; page++) {
      const result = queryRequests(db, { filters: filters(query), outcome: "all", limit, ...(before === undefined ? {} : { before }) }, () => rollup.prompts());
      seen.push(...result.records.map((r) => r.id));
      if (!result.next) break;
      before = result.next;
    }
    expect(seen).toEqual(newestFirst(ROWS.filter(keep)));
  }
});

test("an export read a slice of days at a time holds every selected call once, oldest first, calls logged after the last fold included", () => {
  const path = join(tempDir(), "usage.db");
  const day = (i: number) => new Date(NOW.getTime() - i * 86_400_000 - 60_000).toISOString();
  // Days of many calls and days of none, so slices span one day or several.
  const folded: SeedRow[] = Array.from({ length: 40 }, (_, i) => ({ timestamp: day([0, 0, 1, 5, 5, 5, 6, 12, 29][i % 9]!), model: i % 4 === 0 ? "gpt-4o-mini" : "gpt-4o", cacheHit: i % 3 === 0, prompt: `q ${i}` }));
  seedUsageLog(path, folded);
  const log = openDatabase(path);
  createRollup(log, () => NOW).refresh();
  // Written after the aggregates were brought up to date: no slice size counts them, the export still holds them.
  const late: SeedRow[] = [{ timestamp: day(29), model: "gpt-4o", prompt: "late old" }, { timestamp: day(0), model: "gpt-4o", cacheHit: true, prompt: "late new" }];
  seedUsageLog(path, late);
  const all = [...folded, ...late].map((row, i) => ({ ...row, id: i + 1 }));
  const oldestFirst = (rows: typeof all) => newestFirst(rows).reverse();
  for (const sizes of [{ first: 1, most: 1 }, { first: 1, most: 4 }, { first: 5, most: 10 }, { first: 1_000, most: 1_000 }]) {
    for (const batch of [1, 2, 1000]) {
      const batches = [...iterateRequests(log, { filters: filters("range=30d"), outcome: "all" }, batch, sizes)];
      expect(batches.flat().map((r) => r.id)).toEqual(oldestFirst(all));
      const hits = [...iterateRequests(log, { filters: filters("range=30d&model=gpt-4o"), outcome: "hit" }, batch, sizes)].flat().map((r) => r.id);
      expect(hits).toEqual(oldestFirst(all.filter((r) => r.cacheHit && r.model === "gpt-4o")));
    }
  }
  // With slices of one call, the first batch holds the oldest day's calls alone.
  const [first] = iterateRequests(log, { filters: filters("range=30d"), outcome: "all" }, 1000, { first: 1, most: 1 });
  expect(first!.map((r) => r.id)).toEqual(oldestFirst(all.filter((r) => r.timestamp === day(29))));
  log.close();
});

test("an export's download starts after its first slice is read, passes over empty slices, and holds every row", async () => {
  const records = [...iterateRequests(db, { filters: filters("range=24h"), outcome: "all" })].flat();
  let taken = 0;
  function* batches() {
    // A sparse filter: slices without a selected call, then the calls.
    for (const batch of [[], [], records.slice(0, 2), [], records.slice(2)]) {
      taken++;
      yield batch;
    }
  }
  for (const format of ["csv", "json"] as const) {
    taken = 0;
    const reader = exportResponse(batches(), format, "export").body!.getReader();
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    expect(taken).toBe(1);
    expect(first).toBe(format === "csv" ? `${EXPORT_FIELDS.join(",")}\r\n` : "[");
    let text = first;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      const part = decoder.decode(chunk.value);
      // No chunk is empty: the slices without rows were passed over.
      expect(part.length).toBeGreaterThan(0);
      text += part;
    }
    const ids = format === "json" ? JSON.parse(text).map((r: { id: number }) => r.id) : text.trim().split("\r\n").slice(1).map((line) => Number(line.split(",")[0]));
    expect(ids).toEqual(records.map((r) => r.id));
  }
});
