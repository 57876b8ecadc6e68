/**
 * A small `multipart/form-data` reader for the simulator: text fields become the request body,
 * file parts are kept with their bytes so tests can check what the SDK uploaded.
 *
 * @module
 */
import type { UploadedFile } from "./types.ts";

/** Fields and files of a multipart body; a field sent several times (`image[]`) becomes an array. */
export function parseMultipart(raw: Buffer, contentType: string): { fields: Record<string, unknown>; files: UploadedFile[] } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const fields: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  if (!boundary) return { fields, files };
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    // A part: CRLF, headers, CRLF CRLF, content, CRLF, then the next delimiter.
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? "";
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (filename !== undefined) {
        const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? "application/octet-stream";
        files.push({ field: name, filename, type, bytes: Buffer.from(content) });
      } else {
        add(fields, name, content.toString("utf8"));
      }
    }
    start = next;
  }
  return { fields, files };
}

function add(fields: Record<string, unknown>, name: string, value: string): void {
  const key = name.endsWith("[]") ? name.slice(0, -2) : name;
  const existing = fields[key];
  if (name.endsWith("[]")) fields[key] = Array.isArray(existing) ? [...existing, value] : [value];
  else fields[key] = value;
}
