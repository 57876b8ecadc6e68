import type { SqlValue } from "../sqlite/database.ts";

/** A vector as a BLOB of little-endian float32 values (a view, no copy). */
export function toBlob(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A BLOB read back as a vector: a view when the driver's bytes are 4-byte aligned, else a copy. */
export function fromBlob(blob: SqlValue): Float32Array {
  if (!(blob instanceof Uint8Array) || blob.byteLength % 4 !== 0) return new Float32Array(0);
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength) as ArrayBuffer);
}
