import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { openDatabase, type Database, type Statement } from "../../src/sqlite/database.ts";
import { createSqliteKeyFilter, type KeyFilterConnection } from "../../src/stores/sqlite-key-filter.ts";
import { ensureCacheSchema, prepareKeyFilter } from "../../src/stores/sqlite-schema.ts";
import { tempDir } from "../temp.ts";

const dir = tempDir();

/** A cache key as the engine makes them: 64 hex digits. */
const keyOf = (name: string) => createHash("sha256").update(name).digest("hex");

/** An entry's row, written by plain SQL. */
const INSERT = "INSERT OR REPLACE INTO cache_entries (key, provider, endpoint, model, prompt, prompt_type, body, created_at) VALUES (?, 'openai', 'chat.completions', 'gpt-4o', 'q', 'text', '{}', 1)";

/** Timer ticks: the filter reads a chunk of keys a tick. */
async function ticks(count = 20): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A statement that counts what it runs. */
function counted(statement: Statement, counter: { statements: number }): Statement {
  return {
    ...statement,
    get: (...params) => (counter.statements++, statement.get(...params)),
    all: (...params) => (counter.statements++, statement.all(...params)),
  };
}

/** A cache file, the filter on a connection of its own (its statements counted), and a second connection writing behind its back. */
function setUp(name: string, options: { chunkRows?: number; maxKeys?: number } = {}) {
  const path = join(dir, `${name}.db`);
  const db = openDatabase(path);
  ensureCacheSchema(db);
  const counter = { statements: 0 };
  const statements = prepareKeyFilter(db)!;
  const connection: KeyFilterConnection = { db, keys: { keysFrom: counted(statements.keysFrom, counter), keysAfter: counted(statements.keysAfter, counter), state: counted(statements.state, counter) } };
  /** The connection the filter's reads run on, as a store's run on its current one. */
  let current = connection;
  const filter = createSqliteKeyFilter((work) => work(current), options);
  const use = (next: KeyFilterConnection) => void (current = next);
  const other = openDatabase(path);
  const insert = (db: Database, names: string[]) => {
    const statement = db.prepare(INSERT);
    db.transaction(() => {
      for (const name of names) statement.run(keyOf(name));
    });
  };
  /** Writes as the store does: inside the transaction, asks the filter whether it was current; after it, tells it what was written. */
  const writeOwn = (names: string[]) => {
    let current = false;
    const statement = db.prepare(INSERT);
    db.transaction(() => {
      current = filter.writing(connection);
      for (const name of names) statement.run(keyOf(name));
    });
    filter.wrote(connection, names.map(keyOf), current);
  };
  const absent = (name: string) => filter.absent(connection, keyOf(name));
  /** The rowid SQLite gave the row of `name`'s key. */
  const rowidOf = (name: string) => Number(other.prepare("SELECT rowid FROM cache_entries WHERE key = ?").get(keyOf(name))?.rowid);
  /** The filter's reading started and given time to finish. */
  const ready = async () => {
    absent("nothing");
    await ticks();
  };
  const close = () => {
    filter.forget();
    other.close();
    db.close();
  };
  return { db, other, connection, filter, counter, absent, rowidOf, insert, writeOwn, ready, use, close };
}

test("a key the file does not hold is answered absent without a statement once the keys are read; a key it holds never is", async () => {
  const file = setUp("basic", { chunkRows: 4 });
  file.insert(file.other, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
  // Nothing is answered before the keys are read: they are read a chunk a tick, off the call.
  expect(file.absent("zzz")).toBe(false);
  expect(file.counter.statements).toBe(0);
  await ticks();
  // Ten keys at four a chunk, in key order: the count where the reading began, then three chunks
  // each with the count after it; then the rows added meanwhile (none), with the count.
  expect(file.counter.statements).toBe(1 + 3 * 2 + 2);
  // The first answer after the reading catches up on the file once (nothing new), then none do.
  expect(file.absent("zzz")).toBe(true);
  const afterCatchUp = file.counter.statements;
  for (let i = 0; i < 1000; i++) expect(file.absent(`missing ${i}`)).toBe(true);
  for (const name of ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]) expect(file.absent(name)).toBe(false);
  expect(file.counter.statements).toBe(afterCatchUp);
  file.close();
});

test("this connection's own writes are held as they commit, with no statement to catch up on them", async () => {
  const file = setUp("own-writes");
  file.insert(file.other, ["a"]);
  await file.ready();
  expect(file.absent("missing")).toBe(true);
  const before = file.counter.statements;
  for (let i = 0; i < 50; i++) {
    file.writeOwn([`own ${i}`, `own ${i} twin`]);
    expect(file.absent(`own ${i}`)).toBe(false);
    expect(file.absent(`own ${i} twin`)).toBe(false);
    expect(file.absent(`missing ${i}`)).toBe(true);
  }
  expect(file.counter.statements).toBe(before);
  // A commit of another connection's in between: that write is not the filter's own, so it reads it.
  file.insert(file.other, ["theirs"]);
  file.writeOwn(["own after theirs"]);
  expect(file.absent("theirs")).toBe(false);
  expect(file.absent("own after theirs")).toBe(false);
  expect(file.absent("still missing")).toBe(true);
  file.close();
});

test("another connection's new keys are found at their first lookup: one row, more than a chunk, after a checkpoint that starts the WAL over", async () => {
  const file = setUp("foreign", { chunkRows: 8 });
  await file.ready();
  expect(file.absent("x")).toBe(true);
  file.insert(file.other, ["x"]);
  expect(file.absent("x")).toBe(false);
  expect(file.absent("still missing")).toBe(true);

  const many = Array.from({ length: 30 }, (_, i) => `many ${i}`);
  file.insert(file.other, many);
  // The first lookup reads a chunk and cannot answer yet; the rest are read on the next ticks.
  expect(file.absent("missing")).toBe(false);
  for (const name of many) expect(file.absent(name)).toBe(false);
  await ticks();
  for (const name of many) expect(file.absent(name)).toBe(false);
  expect(file.absent("missing")).toBe(true);

  file.other.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  expect(file.absent("missing")).toBe(true);
  file.insert(file.other, ["after checkpoint"]);
  expect(file.absent("after checkpoint")).toBe(false);
  expect(file.absent("missing")).toBe(true);
  file.close();
});

test("keys added under rowids deleted rows had are found: the newest rows deleted, other keys added, and the newest key added back last", async () => {
  const file = setUp("reused-rowids");
  file.insert(file.other, ["a", "b", "c", "d", "e"]);
  await file.ready();
  expect(file.absent("f")).toBe(true);
  // Rows 4 and 5 go; SQLite gives "f" rowid 4 and "e" rowid 5 again: the highest rowid and its key are what they were.
  file.other.prepare("DELETE FROM cache_entries WHERE key IN (?, ?)").run(keyOf("d"), keyOf("e"));
  file.insert(file.other, ["f", "e"]);
  expect(file.rowidOf("f")).toBe(4);
  expect(file.absent("f")).toBe(false);
  await ticks();
  expect(file.absent("f")).toBe(false);
  expect(file.absent("e")).toBe(false);
  // Read anew: the deleted key is no longer held.
  expect(file.absent("d")).toBe(true);
  expect(file.absent("g")).toBe(true);

  // Every row deleted (a flush), then new keys from rowid 1.
  file.other.exec("DELETE FROM cache_entries");
  file.insert(file.other, ["after flush"]);
  expect(file.absent("after flush")).toBe(false);
  await ticks();
  expect(file.absent("after flush")).toBe(false);
  expect(file.absent("g")).toBe(true);
  file.close();
});

test("this connection's own delete of the newest rows is caught too: another connection's key under a rowid given again is found", async () => {
  const file = setUp("own-delete");
  file.insert(file.other, ["a", "b", "c"]);
  await file.ready();
  expect(file.absent("missing")).toBe(true);
  file.db.prepare("DELETE FROM cache_entries WHERE key IN (?, ?)").run(keyOf("b"), keyOf("c"));
  file.writeOwn(["own"]);
  file.insert(file.other, ["theirs"]);
  expect(file.rowidOf("theirs")).toBe(3);
  expect(file.absent("theirs")).toBe(false);
  await ticks();
  expect(file.absent("theirs")).toBe(false);
  expect(file.absent("own")).toBe(false);
  expect(file.absent("missing")).toBe(true);
  file.close();
});

test("past its most keys the filter lets them go and answers nothing: every lookup goes to SQLite", async () => {
  const file = setUp("too-many", { chunkRows: 4, maxKeys: 10 });
  file.insert(file.other, Array.from({ length: 8 }, (_, i) => `k${i}`));
  await file.ready();
  expect(file.absent("missing")).toBe(true);
  file.writeOwn(["k8", "k9", "k10"]);
  expect(file.absent("missing")).toBe(false);
  await ticks();
  expect(file.absent("missing")).toBe(false);
  file.close();
});

test("a new connection starts the keys over, and a connection without the file's count of deletes gets no filter", async () => {
  const file = setUp("reconnect");
  file.insert(file.other, ["a"]);
  await file.ready();
  expect(file.absent("missing")).toBe(true);
  const fresh: KeyFilterConnection = { db: file.other, keys: prepareKeyFilter(file.other) };
  file.use(fresh);
  expect(file.filter.absent(fresh, keyOf("missing"))).toBe(false);
  await ticks();
  expect(file.filter.absent(fresh, keyOf("missing"))).toBe(true);
  expect(file.filter.absent(fresh, keyOf("a"))).toBe(false);

  const without: KeyFilterConnection = { db: file.other, keys: undefined };
  file.use(without);
  expect(file.filter.absent(without, keyOf("missing"))).toBe(false);
  await ticks();
  expect(file.filter.absent(without, keyOf("missing"))).toBe(false);
  file.close();
});

test("a key changed in place, or moved to another rowid, by another connection is found", async () => {
  const file = setUp("updated");
  file.insert(file.other, ["a", "b", "c"]);
  await file.ready();
  expect(file.absent("renamed")).toBe(true);
  file.other.prepare("UPDATE cache_entries SET key = ? WHERE key = ?").run(keyOf("renamed"), keyOf("a"));
  expect(file.absent("renamed")).toBe(false);
  await ticks();
  expect(file.absent("renamed")).toBe(false);
  expect(file.absent("a")).toBe(true);

  // The newest row moved down (rowid 3 to 2, once "b" is gone): the next key takes rowid 3 again.
  file.other.prepare("DELETE FROM cache_entries WHERE key = ?").run(keyOf("b"));
  file.other.prepare("UPDATE cache_entries SET rowid = 2 WHERE key = ?").run(keyOf("c"));
  file.insert(file.other, ["after move"]);
  expect(file.rowidOf("after move")).toBe(3);
  expect(file.absent("after move")).toBe(false);
  await ticks();
  expect(file.absent("after move")).toBe(false);
  expect(file.absent("missing")).toBe(true);
  file.close();
});

test("a change of the file's schema (VACUUM, which may renumber rows) has every key read again; without the triggers that count moved keys, nothing is answered", async () => {
  const file = setUp("schema", { chunkRows: 4 });
  const names = Array.from({ length: 10 }, (_, i) => `k${i}`);
  file.insert(file.other, names);
  await file.ready();
  expect(file.absent("missing")).toBe(true);
  const before = file.counter.statements;
  file.other.exec("VACUUM");
  expect(file.absent("missing")).toBe(false);
  await ticks();
  // Every key read again, after the catch-up that saw the change: as at the first reading.
  expect(file.counter.statements - before).toBe(2 + (1 + 3 * 2 + 2));
  expect(file.absent("missing")).toBe(true);
  for (const name of names) expect(file.absent(name)).toBe(false);

  file.other.exec("DROP TRIGGER cache_entries_key_moved");
  expect(file.absent("missing")).toBe(false);
  await ticks();
  expect(file.absent("missing")).toBe(false);
  file.close();
});

test("keys added while the first reading is under way are found, those sorting before where it is included; a key moved meanwhile has it start over", async () => {
  const file = setUp("during-reading", { chunkRows: 4 });
  const names = Array.from({ length: 20 }, (_, i) => `k${i}`);
  file.insert(file.other, names);
  expect(file.absent("nothing")).toBe(false);
  await ticks(2);
  // Keys that sort before any key there is (a leading 0): where the reading in key order has passed.
  const early = Array.from({ length: 400 }, (_, i) => `early ${i}`).filter((name) => keyOf(name) < "08").slice(0, 3);
  expect(early.length).toBe(3);
  file.insert(file.other, early);
  await ticks();
  for (const name of [...names, ...early]) expect(file.absent(name)).toBe(false);
  expect(file.absent("missing")).toBe(true);

  // Again, with the newest row deleted and its rowid given to a new key while the reading is under way.
  const again = setUp("moved-during-reading", { chunkRows: 4 });
  again.insert(again.other, names);
  expect(again.absent("nothing")).toBe(false);
  await ticks(2);
  again.other.prepare("DELETE FROM cache_entries WHERE key = ?").run(keyOf("k19"));
  again.insert(again.other, [early[0]!]);
  expect(again.rowidOf(early[0]!)).toBe(20);
  await ticks();
  expect(again.absent(early[0]!)).toBe(false);
  expect(again.absent("k19")).toBe(true);
  expect(again.absent("missing")).toBe(true);
  file.close();
  again.close();
});
