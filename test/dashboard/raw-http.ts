import { connect } from "node:net";

/** An HTTP answer as read off the socket: status, headers (lower-cased names) and body text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body` over a plain TCP
 * connection, byte for byte as written, so a test can send what no `fetch` would: a forged or
 * malformed `Host`, an absolute-form or `//` request target.
 */
export function rawRequest(port: number, head: string, body = ""): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const bytes = Buffer.concat(chunks);
      const text = bytes.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      // Chunk sizes count bytes: the body is cut into chunks before it is read as UTF-8.
      let rest: Buffer = bytes.subarray(end + 4);
      if (headers["transfer-encoding"] === "chunked") rest = unchunk(rest);
      resolve({ status: Number(statusLine!.split(" ")[1]), headers, body: rest.toString("utf8") });
    });
    socket.end(`${head}\r\nConnection: close\r\n\r\n${body}`);
  });
}

function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; ; ) {
    const line = body.indexOf("\r\n", at);
    const size = Number.parseInt(body.subarray(at, line).toString("latin1"), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(body.subarray(line + 2, line + 2 + size));
    at = line + 2 + size + 2;
  }
}
