import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase, type Database } from "../../src/sqlite/database.ts";
import { createUsageLog } from "../../src/usage/log.ts";
import { BLOCK_ROWS, leavesDefaults, prepareRowInserts } from "../../src/usage/row-inserts.ts";
import { toRow, type NewUsageRecord } from "../../src/usage/row.ts";
import { ensureUsageSchema, USAGE_COLUMNS, USAGE_INSERT } from "../../src/usage/schema.ts";
import { recordingLogger } from "../harness.ts";
import { tempDir } from "../temp.ts";
import { writeLegacyLog } from "./legacy-schema.ts";
import { sampleHit, writtenPrompts } from "./sample-record.ts";

const dir = tempDir();

const hit = sampleHit;

/** Calls of every kind: plain hits and misses, and each thing that sets a column a plain call leaves at its default. */
const records: NewUsageRecord[] = [
  hit,
  { ...hit, cacheHit: false, cacheKey: null, latencyMs: 310.5 },
  { ...hit, namespace: "tenant", usage: { ...hit.usage, cachedInputTokens: 4 } },
  { ...hit, provider: "anthropic", model: "claude-3-5-haiku-latest", prompt: "" },
  { ...hit, model: "acme-llm-7b" },
  { ...hit, semanticHit: true, match: { key: "m", score: 0.97, prompt: "Where's my parcel" } },
  { ...hit, embedding: { tokens: 5, costUsd: 0.0001 } },
  { ...hit, embedding: { tokens: 0, costUsd: 0 } },
  { ...hit, usage: { ...hit.usage, reasoningTokens: 5 } },
  { ...hit, cacheHit: false, usage: { ...hit.usage, cacheWriteInputTokens: 3 } },
  { ...hit, usage: { ...hit.usage, images: { count: 2, size: "1024x1024", quality: "high" } } },
  { ...hit, check: { kind: "shadow", agreed: false, key: "c", score: 0.9, prompt: "p" } },
  { ...hit, check: { kind: "verification", agreed: true, key: "c", score: Number.NaN, prompt: "p" } },
];

/** Every column of every row, as SQLite stores it: its type and its value in SQL. */
function storedRows(path: string): string[][] {
  const db = openDatabase(path);
  try {
    const select = USAGE_COLUMNS.map((column) => `typeof(${column}) || ':' || quote(${column}) AS ${column}`).join(", ");
    return db.prepare(`SELECT ${select} FROM usage_log ORDER BY id`).all().map((row) => USAGE_COLUMNS.map((column) => `${column} ${String(row[column])}`));
  } finally {
    db.close();
  }
}

/** The same records inserted binding every column, as every row was written before. */
function writeBindingEveryColumn(path: string, prepare: (db: Database) => void = ensureUsageSchema, written = records): void {
  const db = openDatabase(path);
  try {
    prepare(db);
    const insert = db.prepare(USAGE_INSERT);
    for (const record of written) insert.run(...toRow(record));
  } finally {
    db.close();
  }
}

/** Whether the log's inserts leave usually-default columns out, for the file at `path` as it is now. */
function leavesOutDefaults(path: string): boolean {
  const db = openDatabase(path);
  try {
    ensureUsageSchema(db);
    return prepareRowInserts(db).leavesOutDefaults;
  } finally {
    db.close();
  }
}

function writeThroughLog(path: string, written = records): void {
  const log = createUsageLog({ path, logger: recordingLogger() });
  for (const record of written) log.record(record);
  expect(log.close()).toBe(0);
}

/**
 * Blocks of plain calls, blocks with every kind of call, and rows that fill no block, each a
 * call of its own (a prompt and latency of its own).
 */
const inBlocks: NewUsageRecord[] = [
  ...Array.from({ length: BLOCK_ROWS }, () => hit),
  ...Array.from({ length: 2 * BLOCK_ROWS + 5 }, (_, i) => records[i % records.length]!),
].map((record, i) => ({ ...record, prompt: `${record.prompt} ${i}`, latencyMs: i / 8 }));

test("a plain call's row leaves the columns it can to their defaults; any call that sets one of them does not", () => {
  const plain = records.map((record) => leavesDefaults(toRow(record)));
  expect(plain).toEqual([true, true, true, true, true, false, false, true, false, false, false, false, false]);
  // -0 is stored as is, so it is bound, not left to the default 0.
  const row = toRow(hit);
  row[USAGE_COLUMNS.indexOf("embedding_cost_usd")] = -0;
  expect(leavesDefaults(row)).toBe(false);
});

test("the log stores every column of every row exactly as an insert binding every column stores it", () => {
  const expected = join(dir, "expected.db");
  const written = join(dir, "written.db");
  writeBindingEveryColumn(expected);
  writeThroughLog(written);
  expect(leavesOutDefaults(written)).toBe(true);
  expect(storedRows(written)).toEqual(storedRows(expected));
});

test("so do rows written in blocks of many rows a statement", () => {
  const expected = join(dir, "blocks-expected.db");
  const written = join(dir, "blocks-written.db");
  writeBindingEveryColumn(expected, ensureUsageSchema, inBlocks);
  writeThroughLog(written, inBlocks);
  expect(storedRows(written)).toEqual(storedRows(expected));
});

test("a row SQLite refuses in a block is dropped, and the rows around it written in order", () => {
  const path = join(dir, "blocks-refused.db");
  const db = openDatabase(path);
  ensureUsageSchema(db);
  db.exec("CREATE TRIGGER refuse_forbidden BEFORE INSERT ON usage_log WHEN NEW.prompt LIKE '%forbidden%' BEGIN SELECT RAISE(ABORT, 'forbidden prompt'); END");
  db.close();
  const calls = inBlocks.map((record, i) => (i === BLOCK_ROWS + 3 ? { ...record, prompt: "forbidden" } : record));
  const logger = recordingLogger();
  const log = createUsageLog({ path, logger });
  for (const record of calls) log.record(record);
  expect(log.close()).toBe(0);
  expect(writtenPrompts(path)).toEqual(calls.filter((record) => record.prompt !== "forbidden").map((record) => record.prompt));
  expect(logger.messages).toHaveLength(1);
  expect(logger.messages[0]).toContain("forbidden prompt");
});

test("so does a log migrated from the previous release", () => {
  const expected = join(dir, "legacy-expected.db");
  const written = join(dir, "legacy-written.db");
  for (const path of [expected, written]) {
    const db = openDatabase(path);
    writeLegacyLog(db, 3);
    db.close();
  }
  writeBindingEveryColumn(expected);
  writeThroughLog(written);
  expect(leavesOutDefaults(written)).toBe(true);
  expect(storedRows(written)).toEqual(storedRows(expected));
});

test("a log whose table declares other defaults gets every column bound", () => {
  // A table this release did not make: the same columns, one default unlike ours.
  const otherDefaults = (db: Database) => {
    ensureUsageSchema(db);
    const sql = String(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'usage_log'").get()!.sql);
    db.exec("DROP TABLE usage_log");
    db.exec(sql.replace("embedding_co2e_g REAL NOT NULL DEFAULT 0", "embedding_co2e_g REAL NOT NULL DEFAULT 7"));
  };
  const expected = join(dir, "other-expected.db");
  const written = join(dir, "other-written.db");
  writeBindingEveryColumn(expected, otherDefaults);
  const db = openDatabase(written);
  otherDefaults(db);
  db.close();
  writeThroughLog(written);
  expect(leavesOutDefaults(written)).toBe(false);
  expect(storedRows(written)).toEqual(storedRows(expected));
  expect(storedRows(written).filter((row) => row.includes("embedding_co2e_g real:7.0"))).toEqual([]);
});
