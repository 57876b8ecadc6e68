/**
 * The WAL-index header as the SQLite memo and key filter read it: a header is read only when its
 * two copies agree byte for byte and the index is built, so a header caught mid-write never
 * passes for the file's state.
 */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectionClosed, connectionOpened, readWalHeader, WAL_HEADER_BYTES } from "../../src/sqlite/wal-header.ts";
import { tempDir } from "../temp.ts";

const dir = tempDir();

/** A header whose two copies are equal, the index built (`isInit` at byte 12). */
function header(): Uint8Array {
  const bytes = new Uint8Array(WAL_HEADER_BYTES);
  for (let i = 0; i < WAL_HEADER_BYTES / 2; i++) bytes[i] = bytes[i + WAL_HEADER_BYTES / 2] = (i * 37 + 11) & 0xff;
  bytes[12] = bytes[12 + WAL_HEADER_BYTES / 2] = 1;
  return bytes;
}

/** Whether the header `bytes`, written as a file's `-shm`, is read. */
function reads(name: string, bytes: Uint8Array): boolean {
  const path = join(dir, name);
  writeFileSync(`${path}-shm`, bytes);
  const opened = connectionOpened(path);
  try {
    return readWalHeader(opened, new Uint8Array(WAL_HEADER_BYTES));
  } finally {
    connectionClosed(opened);
  }
}

test("a header whose copies agree is read; one byte apart anywhere in them, it is not", () => {
  expect(reads("agree.db", header())).toBe(true);
  for (const at of [0, 3, 4, 11, 13, 31, 44, 47]) {
    const torn = header();
    torn[at + WAL_HEADER_BYTES / 2]! ^= 0x40;
    expect([at, reads(`torn-${at}.db`, torn)]).toEqual([at, false]);
    const tornFirst = header();
    tornFirst[at]! ^= 0x01;
    expect([at, reads(`torn-first-${at}.db`, tornFirst)]).toEqual([at, false]);
  }
});

test("an index not built, or a header cut short, is not read", () => {
  const unbuilt = header();
  unbuilt[12] = unbuilt[12 + WAL_HEADER_BYTES / 2] = 0;
  expect(reads("unbuilt.db", unbuilt)).toBe(false);
  expect(reads("short.db", header().subarray(0, WAL_HEADER_BYTES - 1))).toBe(false);
});
