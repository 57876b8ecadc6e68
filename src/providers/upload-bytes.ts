import { createHash } from "node:crypto";

/** SHA-256 of each upload's bytes, for keys; filled by {@link readUploads}. */
const DIGESTS = new WeakMap<object, string>();

/**
 * Reads the bytes of an upload in any form the SDKs accept (a `File` or `toFile` result, a
 * `Blob`, a `Buffer` or other byte view, a fetch `Response`, an `fs.ReadStream` or any async
 * iterable, a web `ReadableStream`) and records their SHA-256 for {@link uploadDigest}. Values
 * that reading consumes come back as a `File` of the same bytes, name and type, so the SDK
 * still sends them; the others come back as they were.
 */
export async function readUpload(value: unknown): Promise<unknown> {
  if (typeof value !== "object" || value === null) return value;
  if (DIGESTS.has(value)) return value;
  if (value instanceof Blob) {
    DIGESTS.set(value, digest(new Uint8Array(await value.arrayBuffer())));
    return value;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    const view = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    DIGESTS.set(value, digest(view));
    return value;
  }
  const parts = await readParts(value);
  if (parts === undefined) return value;
  const file = new File(parts, fileName(value) ?? "upload", { type: fileType(value) ?? "" });
  DIGESTS.set(file, digest(new Uint8Array(await file.arrayBuffer())));
  return file;
}

/** Each upload of `value` (one or an array) read by {@link readUpload}. */
export async function readUploads(value: unknown): Promise<unknown> {
  return Array.isArray(value) ? Promise.all(value.map(readUpload)) : readUpload(value);
}

/**
 * What an upload contributes to a cache key: the hash of its bytes, so the same image keys the
 * same in every form. `value` must have gone through {@link readUploads}.
 */
export function uploadDigest(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(uploadDigest);
  if (typeof value !== "object" || value === null) return value;
  const sha256 = DIGESTS.get(value);
  if (sha256 === undefined) throw new TypeError("ecoai: an upload was keyed before its bytes were read");
  return { sha256 };
}

function digest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The chunks of a stream-like upload (read to the end), or undefined when `value` is none. */
async function readParts(value: object): Promise<BlobPart[] | undefined> {
  if (value instanceof Response) return [await value.blob()];
  const candidate = value as { data?: unknown; name?: unknown; getReader?: unknown; [Symbol.asyncIterator]?: unknown };
  const parts: BlobPart[] = [];
  if (typeof candidate[Symbol.asyncIterator] === "function") {
    for await (const chunk of candidate as AsyncIterable<BlobPart>) parts.push(chunk);
    return parts;
  }
  if (typeof candidate.getReader === "function") {
    const reader = (candidate as ReadableStream<BlobPart>).getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) parts.push(read.value);
    return parts;
  }
  // The `openai` SDK's `toStreamingFile()` wraps a stream with a name.
  if (typeof candidate.data === "object" && candidate.data !== null && typeof candidate.name === "string") return readParts(candidate.data);
  return undefined;
}

/** The file name the SDK would send: the last segment of `name`, `url`, `filename` or `path`. */
function fileName(value: object): string | undefined {
  const record = value as Record<string, unknown>;
  for (const field of ["name", "url", "filename", "path"]) {
    const raw = record[field];
    if (raw) return String(raw).split(/[\\/]/).pop() || undefined;
  }
  return undefined;
}

function fileType(value: object): string | undefined {
  const type = (value as { type?: unknown }).type;
  if (typeof type === "string" && type !== "") return type;
  return value instanceof Response ? value.headers.get("content-type") ?? undefined : undefined;
}
