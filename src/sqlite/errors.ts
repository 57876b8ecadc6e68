/**
 * SQLite errors as ecoai tells them apart, the same under every driver: `bun:sqlite` and
 * `better-sqlite3` name the result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_NOTNULL`), `node:sqlite`
 * gives its number (`errcode`).
 *
 * @module
 */

/** Primary result codes by number (the low byte of an extended code). */
const PRIMARY_CODES: Record<number, string> = {
  1: "SQLITE_ERROR",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
};

/** The primary result code of a SQLite error (`SQLITE_BUSY`), or undefined for any other error. */
export function sqliteCode(error: unknown): string | undefined {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  if (typeof errcode === "number") return PRIMARY_CODES[errcode & 0xff] ?? `SQLITE_${errcode & 0xff}`;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return undefined;
  const primary = Object.values(PRIMARY_CODES).find((name) => code === name || code.startsWith(`${name}_`));
  return primary ?? code;
}

/** Another connection holds the lock this one needs: a wait, not damage. */
export function isLockedOut(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/**
 * The statement's own values were refused (a constraint, a value of the wrong type or size, a
 * value no driver can bind): the row is at fault, not the database, and the next row may succeed.
 */
export function isRowRejected(error: unknown): boolean {
  const code = sqliteCode(error);
  if (code === undefined) return error instanceof TypeError || error instanceof RangeError;
  return code === "SQLITE_CONSTRAINT" || code === "SQLITE_MISMATCH" || code === "SQLITE_TOOBIG" || code === "SQLITE_RANGE";
}

/**
 * The connection no longer sees a usable file (it was truncated, overwritten, or its tables
 * dropped by another process): opening the path again is the way back, and is harmless otherwise.
 */
export function needsReopen(error: unknown): boolean {
  const code = sqliteCode(error);
  if (code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB" || code === "SQLITE_IOERR" || code === "SQLITE_CANTOPEN" || code === "SQLITE_READONLY") return true;
  return code === "SQLITE_ERROR" && /no such (table|column)/.test(String((error as { message?: unknown }).message));
}
