import { expect, test } from "bun:test";
import { join } from "node:path";
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
