import { createHash, randomUUID } from "node:crypto";
import { BinaryDigest } from "../cache/key.ts";

/** SHA-256 of each upload's bytes, for keys; filled by {@link readUploads}. */
const DIGESTS = new WeakMap<object, string>();

/**
 * Reads the bytes of an upload in any form: a `File` or `toFile` result, a `Blob`, a `Buffer`
 * or other byte view, a fetch `Response`, an `fs.ReadStream` or any async iterable, a web
 * `ReadableStream`; and records their SHA-256 for {@link uploadDigest}. A named `File`/`Blob`
 * comes back as it was. Anything else comes back as a `File` of the same bytes (name and type
 * kept where the value has them, else `<field>.<ext>` from the bytes' signature): a stream
 * cannot be read twice, and the SDK cannot upload raw bytes or a nameless `Blob` by itself.
 */
export async function readUpload(value: unknown, field: string): Promise<unknown> {
  if (typeof value !== "object" || value === null) return value;
  if (DIGESTS.has(value)) return value;
  if (value instanceof Blob && typeof (value as { name?: unknown }).name === "string") {
    DIGESTS.set(value, digest(new Uint8Array(await value.arrayBuffer())));
    return value;
  }
  const parts = await readParts(value);
  if (parts === undefined) return value;
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  const sniffed = sniffImage(parts[0] ?? new Uint8Array());
  // Every chunk is a copy over its own ArrayBuffer, as `File` expects.
  const file = new File(parts as BlobPart[], fileName(value) ?? `${field}.${sniffed?.extension ?? "bin"}`, { type: fileType(value) ?? sniffed?.type ?? "" });
  DIGESTS.set(file, hash.digest("hex"));
  return file;
}

/** Each upload of `value` (one or an array) read by {@link readUpload}. */
export async function readUploads(value: unknown, field: string): Promise<unknown> {
  return Array.isArray(value) ? Promise.all(value.map((item) => readUpload(item, field))) : readUpload(value, field);
}

/**
 * What an upload contributes to a cache key: its bytes as binary data (their hash), so the same
 * image keys the same in every form, once `value` has gone through {@link readUploads}.
 */
export function uploadDigest(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(uploadDigest);
  if (typeof value !== "object" || value === null) return value;
  const sha256 = DIGESTS.get(value);
  // A value of no upload form (the SDK cannot send it either) keys uniquely: it is never served.
  return sha256 === undefined ? { unreadable: randomUUID() } : new BinaryDigest(sha256);
}

function digest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The bytes of an upload that is not a named `Blob`, in chunks, or undefined when `value` is no upload. */
async function readParts(value: object): Promise<Uint8Array[] | undefined> {
  if (value instanceof Blob || value instanceof Response) return [new Uint8Array(await value.arrayBuffer())];
  if (value instanceof ArrayBuffer) return [new Uint8Array(value.slice(0))];
  if (ArrayBuffer.isView(value)) return [new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()];
  const candidate = value as { data?: unknown; name?: unknown; getReader?: unknown; [Symbol.asyncIterator]?: unknown };
  const parts: Uint8Array[] = [];
  if (typeof candidate[Symbol.asyncIterator] === "function") {
    for await (const chunk of candidate as AsyncIterable<BlobPart>) parts.push(await chunkBytes(chunk));
    return parts;
  }
  if (typeof candidate.getReader === "function") {
    const reader = (candidate as ReadableStream<BlobPart>).getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) parts.push(await chunkBytes(read.value));
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

/** A stream chunk as bytes, whatever `BlobPart` it is (text as UTF-8, as a `Blob` would hold it). */
async function chunkBytes(chunk: BlobPart): Promise<Uint8Array> {
  if (typeof chunk === "string") return Buffer.from(chunk);
  if (chunk instanceof Blob) return new Uint8Array(await chunk.arrayBuffer());
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk.slice(0));
  // Copied: a stream may reuse the memory behind a chunk it has handed out.
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
}

const SIGNATURES: readonly { bytes: number[]; offset?: number; type: string; extension: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], type: "image/png", extension: "png" },
  { bytes: [0xff, 0xd8, 0xff], type: "image/jpeg", extension: "jpg" },
  { bytes: [0x57, 0x45, 0x42, 0x50], offset: 8, type: "image/webp", extension: "webp" },
  { bytes: [0x47, 0x49, 0x46, 0x38], type: "image/gif", extension: "gif" },
];

/** The image format of `bytes` by their signature, for uploads that carry no type. */
function sniffImage(bytes: Uint8Array): { type: string; extension: string } | undefined {
  return SIGNATURES.find(({ bytes: signature, offset = 0 }) => signature.every((byte, index) => bytes[offset + index] === byte));
}

function fileType(value: object): string | undefined {
  const type = (value as { type?: unknown }).type;
  if (typeof type === "string" && type !== "") return type;
  return value instanceof Response ? value.headers.get("content-type") ?? undefined : undefined;
}
