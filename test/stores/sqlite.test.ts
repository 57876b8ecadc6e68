import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { MAX_ENTRIES_COPIED } from "../../src/stores/sqlite-schema.ts";
import { tempDir } from "../temp.ts";
import { CODE_HEADER_BYTES, codeBytes } from "../../src/cache/vector-code.ts";
import { expectListedVector, makeEntry, runStoreSuite, unbatched } from "./suite.ts";

const dir = tempDir();
/** The columns of the cache table as version 1 created it, keyed by the key itself (WITHOUT ROWID) up to version 6. */
const FIRST_COLUMNS = `key TEXT PRIMARY KEY, namespace TEXT NOT NULL DEFAULT '', provider TEXT NOT NULL, endpoint TEXT NOT NULL,
  model TEXT NOT NULL, prompt TEXT NOT NULL, prompt_type TEXT NOT NULL, body TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0, cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL`;

/** Turns a cache file this version wrote into what version 6 left: the same columns, in a table keyed by the key itself. */
function toVersion6(path: string): void {
  const old = openDatabase(path);
  old.exec(`
    CREATE TABLE v6 (
      ${FIRST_COLUMNS}, scope TEXT, vector BLOB, expires_at INTEGER, evidence TEXT
    ) WITHOUT ROWID;
    INSERT INTO v6 SELECT * FROM cache_entries;
    DROP TABLE cache_entries;
    ALTER TABLE v6 RENAME TO cache_entries;
    CREATE INDEX cache_entries_model ON cache_entries (model);
    CREATE INDEX cache_entries_namespace ON cache_entries (namespace, created_at);
    CREATE INDEX cache_entries_scope ON cache_entries (scope, created_at) WHERE scope IS NOT NULL;
    CREATE INDEX cache_entries_expiry ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;
    CREATE TRIGGER cache_vectors_follow_delete AFTER DELETE ON cache_entries BEGIN DELETE FROM cache_vectors WHERE key = old.key; END;
    CREATE TRIGGER cache_vectors_follow_plain_write AFTER INSERT ON cache_entries WHEN new.vector IS NULL BEGIN DELETE FROM cache_vectors WHERE key = new.key; END;
    DROP TABLE cache_state;
    PRAGMA user_version = 6;
  `);
  expect(String(old.prepare("SELECT sql FROM sqlite_master WHERE name = 'cache_entries'").get()!.sql)).toContain("WITHOUT ROWID");
  old.close();
}
let file = "";
runStoreSuite("sqlite", {
  create: () => createSqliteStore({ path: (file = join(dir, `cache-${Math.random().toString(36).slice(2)}.db`)) }),
  reopen: () => createSqliteStore({ path: file }),
  vectorBatches: true,
});

test("sqlite store survives a restart and creates its folder", async () => {
  const path = join(dir, "nested", "deeper", "cache.db");
  const first = createSqliteStore({ path });
  const entry = makeEntry();
  await first.set(entry);
  await first.close();
  const second = createSqliteStore({ path });
  expect(await second.get(entry.key)).toEqual(entry);
  await second.close();
});

test("a cache file of schema version 1 gains the vector and expiry columns and keeps its rows", async () => {
  const path = join(dir, "version-1.db");
  const old = openDatabase(path);
  old.exec(`
    CREATE TABLE cache_entries (
      ${FIRST_COLUMNS}
    ) WITHOUT ROWID;
    CREATE INDEX cache_entries_model ON cache_entries (model);
    CREATE INDEX cache_entries_namespace ON cache_entries (namespace, created_at);
    PRAGMA user_version = 1;
  `);
  old.prepare("INSERT INTO cache_entries VALUES ('old', '', 'openai', 'chat.completions', 'gpt-4o', 'hi', 'text', '{}', 1, 0, 2, 1000)").run();
  old.close();

  const store = createSqliteStore({ path });
  expect(await store.get("old")).toEqual(makeEntry({ key: "old", prompt: "hi", body: "{}", createdAt: 1000, usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 2 } }));
  await store.set(makeEntry({ key: "new", createdAt: 2000, semantic: { scope: "s", vector: new Float32Array([1, 0]) } }));
  expect((await store.vectorsSince!("s", 0)).map((v) => v.key)).toEqual(["new"]);
  await store.close();

  const db = openDatabase(path);
  expect(db.prepare("PRAGMA user_version").get()).toEqual({ user_version: 8 });
  const columns = db.prepare("PRAGMA table_info(cache_entries)").all().map((row) => row.name);
  expect(columns).toContain("scope");
  expect(columns).toContain("vector");
  expect(columns).toContain("expires_at");
  db.close();
});

test("entries written with a TTL leave the file once expired: at the next open, and with the writes that follow", async () => {
  const path = join(dir, "expiry.db");
  const rows = () => {
    const db = openDatabase(path);
    const keys = db.prepare("SELECT key FROM cache_entries ORDER BY key").all().map((row) => String(row.key));
    db.close();
    return keys;
  };
  let store = createSqliteStore({ path });
  await store.set(makeEntry({ key: "b-fresh", createdAt: Date.now() }), { ttlSeconds: 3600 });
  await store.set(makeEntry({ key: "c-dev", createdAt: Date.now() - 10_000_000 }));
  // Fresh when written, expired a moment after the last write.
  await store.set(makeEntry({ key: "a-expiring", createdAt: Date.now() - 4_900 }), { ttlSeconds: 5 });
  await store.close();
  await Bun.sleep(150);
  expect(rows()).toEqual(["a-expiring", "b-fresh", "c-dev"]);

  store = createSqliteStore({ path });
  expect(rows()).toEqual(["b-fresh", "c-dev"]);

  // A running process purges as it writes.
  await store.set(makeEntry({ key: "d-expiring", createdAt: Date.now() - 900 }), { ttlSeconds: 1 });
  expect(rows()).toContain("d-expiring");
  await Bun.sleep(150);
  await store.set(makeEntry({ key: "e-next", createdAt: Date.now() }));
  expect(rows()).toEqual(["b-fresh", "c-dev", "e-next"]);
  await store.close();
});

test("a wave of expired entries leaves the file a few at a time with the writes that follow, never all in one write", async () => {
  const path = join(dir, "expiry-wave.db");
  const store = createSqliteStore({ path });
  const now = Date.now();
  await store.setMany!(Array.from({ length: 200 }, (_, i) => ({ entry: makeEntry({ key: `wave-${i}`, createdAt: now }), ttlSeconds: 3600 })));
  // An hour later: every entry of the burst is past its TTL at once.
  const db = openDatabase(path);
  db.exec("UPDATE cache_entries SET expires_at = 1");
  const expired = () => Number(db.prepare("SELECT count(*) AS n FROM cache_entries WHERE expires_at = 1").get()!.n);
  await store.set(makeEntry({ key: "next-1", createdAt: now }));
  expect(expired()).toBe(200 - 4);
  await store.setMany!(Array.from({ length: 20 }, (_, i) => ({ entry: makeEntry({ key: `next-batch-${i}`, createdAt: now }) })));
  expect(expired()).toBe(200 - 4 - 40);
  for (let i = 0; expired() > 0 && i < 100; i++) await store.set(makeEntry({ key: `next-more-${i}`, createdAt: now }));
  expect(expired()).toBe(0);
  expect(Number(db.prepare("SELECT count(*) AS n FROM cache_entries").get()!.n)).toBeGreaterThan(20);
  db.close();
  await store.close();
});

test("setMany gives each entry its own expiry: an expired one leaves the file at the next open", async () => {
  const path = join(dir, "expiry-many.db");
  const now = Date.now();
  let store = createSqliteStore({ path });
  await store.setMany!([
    { entry: makeEntry({ key: "expired", createdAt: now - 10_000 }), ttlSeconds: 5 },
    { entry: makeEntry({ key: "fresh", createdAt: now }), ttlSeconds: 3600 },
    { entry: makeEntry({ key: "dev", createdAt: now - 10_000_000 }) },
  ]);
  await store.close();
  store = createSqliteStore({ path });
  expect(await store.get("expired")).toBeUndefined();
  expect((await store.get("fresh"))?.key).toBe("fresh");
  expect((await store.get("dev"))?.key).toBe("dev");
  await store.close();
});

test("vectors are listed as codes from their own table, one query, not as the float32 vectors", async () => {
  const path = join(dir, "codes.db");
  const store = createSqliteStore({ path });
  const vector = new Float32Array(Array.from({ length: 64 }, (_, i) => Math.sin(i)));
  await store.set(makeEntry({ key: "a", createdAt: 1000, semantic: { scope: "s", vector } }));
  const [listed] = await store.vectorsSince!("s", 0);
  expect(listed!.vector).toBeUndefined();
  expect(listed!.code!.byteLength).toBe(codeBytes(64));
  expectListedVector(listed!, Array.from(vector));
  // The exact vector stays with its entry.
  expect(Array.from((await store.get("a"))!.semantic!.vector)).toEqual(Array.from(vector));
  await store.close();
  const db = openDatabase(path);
  expect(db.prepare("SELECT key, scope, created_at FROM cache_vectors").all()).toEqual([{ key: "a", scope: "s", created_at: 1000 }]);
  db.close();
});

test("vectors are also handed over in batches as they are read: the same listing, oldest first, from the time asked", async () => {
  const path = join(dir, "codes-one-by-one.db");
  const store = createSqliteStore({ path });
  const vector = (seed: number) => new Float32Array(Array.from({ length: 32 }, (_, i) => Math.sin(i + seed)));
  for (const [key, createdAt] of [["late", 3000], ["early", 1000], ["middle", 2000], ["same time", 2000]] as const) {
    await store.set(makeEntry({ key, createdAt, semantic: { scope: "s", vector: vector(createdAt) } }));
  }
  await store.set(makeEntry({ key: "other scope", createdAt: 2500, semantic: { scope: "t", vector: vector(1) } }));
  const handed: { key: string; createdAt: number; code?: Uint8Array }[] = [];
  await store.vectorBatchesSince!("s", 2000, (batch) => handed.push(...unbatched(batch)));
  expect(handed.map((v) => [v.key, v.createdAt])).toEqual([["middle", 2000], ["same time", 2000], ["late", 3000]]);
  expect(handed).toEqual(await store.vectorsSince!("s", 2000));
  expectListedVector(handed[2]!, Array.from(vector(3000)));
  await store.close();
});

test("an entry read again is what the file holds now: another connection's replacement, removal or flush is seen at the next read", async () => {
  const path = join(dir, "read-again.db");
  const reader = createSqliteStore({ path });
  const writer = createSqliteStore({ path });
  const first = makeEntry({ key: "k", body: '{"answer":1}' });
  await writer.set(first);
  for (let i = 0; i < 3; i++) expect(await reader.get("k")).toEqual(first);

  const replaced = makeEntry({ key: "k", body: '{"answer":2}', createdAt: first.createdAt + 1 });
  await writer.set(replaced);
  expect(await reader.get("k")).toEqual(replaced);
  expect(await reader.get("k")).toEqual(replaced);

  await writer.delete("k");
  expect(await reader.get("k")).toBeUndefined();

  await writer.set(first);
  expect(await reader.get("k")).toEqual(first);
  // Written behind every store's back, by a plain connection.
  const db = openDatabase(path);
  db.prepare("UPDATE cache_entries SET body = ? WHERE key = ?").run('{"answer":3}', "k");
  expect((await reader.get("k"))!.body).toBe('{"answer":3}');
  db.prepare("DELETE FROM cache_entries").run();
  db.close();
  expect(await reader.get("k")).toBeUndefined();

  await writer.set(first);
  expect(await reader.get("k")).toEqual(first);
  expect(await writer.flush()).toBe(1);
  expect(await reader.get("k")).toBeUndefined();
  // Each get hands out its own objects: changing one changes no later answer.
  await writer.set(first);
  const served = (await reader.get("k"))!;
  served.usage.inputTokens = 999;
  served.body = "changed";
  expect(await reader.get("k")).toEqual(first);
  await reader.close();
  await writer.close();
});

test("a cache file of schema version 3 gains the codes table, filled from the vectors it holds", async () => {
  const path = join(dir, "version-3.db");
  const old = openDatabase(path);
  old.exec(`
    CREATE TABLE cache_entries (
      ${FIRST_COLUMNS}, scope TEXT, vector BLOB, expires_at INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX cache_entries_scope ON cache_entries (scope, created_at) WHERE scope IS NOT NULL;
    PRAGMA user_version = 3;
  `);
  const insert = old.prepare("INSERT INTO cache_entries VALUES (?, '', 'openai', 'chat.completions', 'gpt-4o', 'hi', 'text', '{}', 1, 0, 2, ?, ?, ?, NULL)");
  const vectors = Array.from({ length: 1500 }, (_, n) => new Float32Array([Math.cos(n), Math.sin(n), 0.5]));
  vectors.forEach((vector, n) => insert.run(`k${String(n).padStart(4, "0")}`, 1000 + n, "s", new Uint8Array(vector.buffer)));
  insert.run("plain", 5000, null, null);
  old.close();

  const store = createSqliteStore({ path });
  const listed = await store.vectorsSince!("s", 0);
  expect(listed.map((v) => v.key)).toEqual(vectors.map((_, n) => `k${String(n).padStart(4, "0")}`));
  listed.forEach((v, n) => expectListedVector(v, Array.from(vectors[n]!)));
  // Removing an entry removes its code, whoever removes it.
  expect(await store.delete("k0001")).toBe(true);
  expect(await store.flush({ matchPrompt: (prompt) => prompt === "nothing" })).toBe(0);
  await store.set(makeEntry({ key: "k0002", createdAt: 9000 }));
  expect((await store.vectorsSince!("s", 0)).slice(0, 3).map((v) => v.key)).toEqual(["k0000", "k0003", "k0004"]);
  await store.close();
});

test("a cache file of schema version 5 gains the index of the codes' headers, keeps its rows, and lists headers from it alone", async () => {
  const path = join(dir, "version-5.db");
  const writer = createSqliteStore({ path });
  const vectors = Array.from({ length: 2100 }, (_, n) => new Float32Array([Math.cos(n), Math.sin(n), 0.5, n % 7]));
  for (const [n, vector] of vectors.entries()) await writer.set(makeEntry({ key: `k${n}`, createdAt: 1000 + Math.floor(n / 3), semantic: { scope: "s", vector } }));
  await writer.close();
  // The file as version 5 left it: the codes indexed by scope and write time only.
  const old = openDatabase(path);
  old.exec("DROP INDEX cache_vectors_heads; CREATE INDEX cache_vectors_scope ON cache_vectors (scope, created_at); PRAGMA user_version = 5;");
  old.close();

  const store = createSqliteStore({ path });
  const listed = await store.vectorsSince!("s", 0);
  expect(listed).toHaveLength(2100);
  const heads: { key: string; createdAt: number; head: number[] }[] = [];
  await store.vectorBatchesSince!("s", 0, (batch) => {
    expect(batch.headsOnly).toBe(true);
    expect(batch.codeBytes).toBe(codeBytes(4));
    for (let i = 0; i < batch.count; i++) heads.push({ key: batch.keys[i]!, createdAt: batch.createdAt[i]!, head: Array.from(batch.codes.subarray(i * CODE_HEADER_BYTES, (i + 1) * CODE_HEADER_BYTES)) });
  }, { headsOnly: true });
  expect(heads).toEqual(listed.map((v) => ({ key: v.key, createdAt: v.createdAt, head: Array.from(v.code!.subarray(0, CODE_HEADER_BYTES)) })));
  expect((await store.get("k5"))?.semantic?.vector).toEqual(vectors[5]!);
  await store.close();

  const db = openDatabase(path);
  expect(db.prepare("PRAGMA user_version").get()).toEqual({ user_version: 8 });
  expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cache_vectors' AND sql IS NOT NULL ORDER BY name").all()).toEqual([{ name: "cache_vectors_heads" }]);
  const plan = db.prepare("EXPLAIN QUERY PLAN SELECT key, created_at, substr(code, 1, 44) AS code, length(code) AS bytes FROM cache_vectors WHERE scope = ?1 AND created_at >= ?2 ORDER BY created_at, key LIMIT 1024").all("s", 0);
  expect(plan.map((row) => row.detail).join()).toContain("COVERING INDEX cache_vectors_heads");
  db.close();
});

test("a cache file of schema version 7 gains the count of deletes of its newest rows, keeps its rows, and its misses stay misses and its hits hits", async () => {
  const path = join(dir, "version-7.db");
  const writer = createSqliteStore({ path });
  const entries = [makeEntry({ key: "a" }), makeEntry({ key: "b" }), makeEntry({ key: "c" })];
  await writer.setMany!(entries.map((entry) => ({ entry })));
  await writer.close();
  const old = openDatabase(path);
  old.exec("DROP TRIGGER cache_entries_newest_deleted; DROP TRIGGER cache_entries_key_moved; DROP TABLE cache_state; PRAGMA user_version = 7;");
  old.close();

  const store = createSqliteStore({ path });
  for (const entry of entries) expect(await store.get(entry.key)).toEqual(entry);
  expect(await store.get("missing")).toBeUndefined();
  const db = openDatabase(path);
  expect(db.prepare("PRAGMA user_version").get()).toEqual({ user_version: 8 });
  expect(db.prepare("SELECT name, value FROM cache_state").all()).toEqual([{ name: "keys_moved", value: 0 }]);
  // Deleting the newest row counts, and so does changing a key; deleting an older row, or changing another column, does not.
  db.prepare("DELETE FROM cache_entries WHERE key = 'a'").run();
  db.prepare("UPDATE cache_entries SET body = '{}' WHERE key = 'b'").run();
  expect(db.prepare("SELECT value FROM cache_state").get()).toEqual({ value: 0 });
  db.prepare("DELETE FROM cache_entries WHERE key = 'c'").run();
  expect(db.prepare("SELECT value FROM cache_state").get()).toEqual({ value: 1 });
  db.prepare("UPDATE cache_entries SET key = 'b2' WHERE key = 'b'").run();
  db.prepare("UPDATE cache_entries SET key = 'b' WHERE key = 'b2'").run();
  expect(db.prepare("SELECT value FROM cache_state").get()).toEqual({ value: 3 });
  db.prepare("INSERT INTO cache_entries (key, provider, endpoint, model, prompt, prompt_type, body, created_at) VALUES ('d', 'openai', 'chat.completions', 'gpt-4o', 'q', 'text', '{}', 1)").run();
  db.close();
  expect(await store.get("a")).toBeUndefined();
  expect((await store.get("d"))?.body).toBe("{}");
  expect((await store.get("b"))?.body).toBe("{}");
  await store.close();
});

test("a cache file of schema version 6 (entries keyed by their key, WITHOUT ROWID) moves to a rowid table once, keeping its entries, vectors and triggers", async () => {
  const path = join(dir, "version-6.db");
  // The file as version 6 wrote it: the same columns, in a table keyed by the key itself.
  const writer = createSqliteStore({ path });
  const semantic = makeEntry({ key: "semantic", createdAt: 2000, semantic: { scope: "s", vector: new Float32Array([0.6, 0.8]) } });
  const entries = [makeEntry({ key: "plain", createdAt: 1000 }), semantic, makeEntry({ key: "expiring", createdAt: Date.now(), prompt: "soon gone" })];
  await writer.set(entries[0]!);
  await writer.set(entries[1]!);
  await writer.set(entries[2]!, { ttlSeconds: 3600 });
  await writer.close();
  toVersion6(path);

  const store = createSqliteStore({ path });
  for (const entry of entries) expect(await store.get(entry.key)).toEqual(entry);
  expect((await store.vectorsSince!("s", 0)).map((v) => v.key)).toEqual(["semantic"]);
  // The triggers came back with the table: a plain write over a semantic entry, and a delete, take its code.
  await store.set(makeEntry({ key: "semantic", createdAt: 3000 }));
  expect(await store.vectorsSince!("s", 0)).toEqual([]);
  await store.set(makeEntry({ key: "semantic-2", createdAt: 4000, semantic: { scope: "s", vector: new Float32Array([1, 0]) } }));
  expect(await store.delete("semantic-2")).toBe(true);
  expect(await store.vectorsSince!("s", 0)).toEqual([]);
  await store.close();

  const rowsOf = () => {
    const db = openDatabase(path);
    try {
      return {
        sql: String(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'cache_entries'").get()!.sql),
        rows: db.prepare("SELECT rowid, key FROM cache_entries ORDER BY key").all(),
        indexes: db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cache_entries' AND sql IS NOT NULL ORDER BY name").all().map((row) => row.name),
        version: db.prepare("PRAGMA user_version").get()!.user_version,
      };
    } finally {
      db.close();
    }
  };
  const moved = rowsOf();
  expect(moved.sql).not.toContain("WITHOUT ROWID");
  expect(moved.indexes).toEqual(["cache_entries_expiry", "cache_entries_model", "cache_entries_namespace", "cache_entries_scope"]);
  expect(moved.version).toBe(8);
  // An older version marks the file as its own; the entries are not copied again.
  const older = openDatabase(path);
  older.exec("PRAGMA user_version = 6");
  older.close();
  const again = createSqliteStore({ path });
  expect(await again.get("plain")).toEqual(entries[0]!);
  await again.close();
  expect(rowsOf()).toEqual(moved);
});

test(`a cache file of version 6 with more than ${MAX_ENTRIES_COPIED.toLocaleString("en")} entries keeps its layout, and works: reads, writes, vectors, expiry`, async () => {
  const path = join(dir, "version-6-large.db");
  const writer = createSqliteStore({ path });
  await writer.set(makeEntry({ key: "semantic", createdAt: 2000, semantic: { scope: "s", vector: new Float32Array([0.6, 0.8]) } }));
  await writer.close();
  toVersion6(path);
  const db = openDatabase(path);
  // Many small entries, written as version 6 would hold them.
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i <= ${MAX_ENTRIES_COPIED})
    INSERT INTO cache_entries (key, provider, endpoint, model, prompt, prompt_type, body, created_at, expires_at)
    SELECT 'bulk-' || i, 'openai', 'chat.completions', 'gpt-4o', 'q' || i, 'text', '{}', 1000, CASE WHEN i <= 10 THEN 1 END FROM n
  `);
  db.close();

  const store = createSqliteStore({ path });
  expect((await store.get("bulk-500"))?.prompt).toBe("q500");
  expect((await store.vectorsSince!("s", 0)).map((v) => v.key)).toEqual(["semantic"]);
  await store.set(makeEntry({ key: "new", createdAt: 3000 }));
  expect((await store.get("new"))?.key).toBe("new");
  // Writes purge expired entries here too; the vector triggers still follow.
  await store.set(makeEntry({ key: "semantic", createdAt: 4000 }));
  expect(await store.vectorsSince!("s", 0)).toEqual([]);
  expect(await store.delete("bulk-501")).toBe(true);
  await store.close();

  const after = openDatabase(path);
  expect(String(after.prepare("SELECT sql FROM sqlite_master WHERE name = 'cache_entries'").get()!.sql)).toContain("WITHOUT ROWID");
  // No rowids, so no count of deletes of the newest: its lookups all read the table.
  expect(after.prepare("SELECT name FROM sqlite_master WHERE name IN ('cache_entries_newest_deleted', 'cache_entries_key_moved', 'cache_state')").get()).toBeUndefined();
  // The ten expired bulk entries: gone by the writes or the open.
  expect(Number(after.prepare("SELECT count(*) AS n FROM cache_entries WHERE expires_at = 1").get()!.n)).toBe(0);
  expect(Number(after.prepare("SELECT count(*) AS n FROM cache_entries").get()!.n)).toBe(MAX_ENTRIES_COPIED + 1 - 10 - 1 + 2);
  after.close();
});
