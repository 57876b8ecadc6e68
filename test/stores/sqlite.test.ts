import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { tempDir } from "../temp.ts";
import { makeEntry, runStoreSuite } from "./suite.ts";

const dir = tempDir();
let file = "";
runStoreSuite("sqlite", {
  create: () => createSqliteStore({ path: (file = join(dir, `cache-${Math.random().toString(36).slice(2)}.db`)) }),
  reopen: () => createSqliteStore({ path: file }),
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
      key TEXT PRIMARY KEY, namespace TEXT NOT NULL DEFAULT '', provider TEXT NOT NULL, endpoint TEXT NOT NULL,
      model TEXT NOT NULL, prompt TEXT NOT NULL, prompt_type TEXT NOT NULL, body TEXT NOT NULL,
      input_tokens INTEGER NOT NULL DEFAULT 0, cached_input_tokens INTEGER NOT NULL DEFAULT 0,
      output_tokens INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL
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
  expect(db.prepare("PRAGMA user_version").get()).toEqual({ user_version: 3 });
  const columns = db.prepare("PRAGMA table_info(cache_entries)").all().map((row) => row.name);
  expect(columns).toContain("scope");
  expect(columns).toContain("vector");
  expect(columns).toContain("expires_at");
  db.close();
});

test("entries written with a TTL leave the file once expired: at the next open, and every few hundred writes", async () => {
  const path = join(dir, "expiry.db");
  const rows = () => {
    const db = openDatabase(path);
    const keys = db.prepare("SELECT key FROM cache_entries ORDER BY key").all().map((row) => String(row.key));
    db.close();
    return keys;
  };
  const now = Date.now();
  let store = createSqliteStore({ path });
  await store.set(makeEntry({ key: "a-expired", createdAt: now - 10_000 }), { ttlSeconds: 5 });
  await store.set(makeEntry({ key: "b-fresh", createdAt: now }), { ttlSeconds: 3600 });
  await store.set(makeEntry({ key: "c-dev", createdAt: now - 10_000_000 }));
  await store.close();
  expect(rows()).toEqual(["a-expired", "b-fresh", "c-dev"]);

  store = createSqliteStore({ path });
  expect(rows()).toEqual(["b-fresh", "c-dev"]);

  // A running process purges as it writes.
  await store.set(makeEntry({ key: "d-expired", createdAt: now - 10_000 }), { ttlSeconds: 1 });
  for (let i = 0; i < 300; i++) await store.set(makeEntry({ key: `e-${String(i).padStart(3, "0")}`, createdAt: now }));
  const left = rows();
  expect(left).not.toContain("d-expired");
  expect(left).toContain("b-fresh");
  expect(left).toContain("c-dev");
  expect(left).toHaveLength(302);
  await store.close();
});
