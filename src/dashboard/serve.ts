import type { IncomingMessage, ServerResponse } from "node:http";

/** Anything that answers a web-standard request, such as a `DashboardApp`. */
export interface RequestHandler {
  handle(request: Request): Promise<Response>;
}

export interface ServeOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** `0` picks a free port. @default 7315 */
  port?: number;
}

/** A listening server. */
export interface RunningServer {
  /** Where it answers, with the port actually bound: `http://127.0.0.1:7315/`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `app` over HTTP: `Bun.serve` under Bun, a `node:http` server under Node, both handing each
 * request to `app.handle`. The only code that knows which runtime it is on.
 *
 * @example
 * const server = await serveDashboard(await createDashboardApp(), { port: 7315 });
 * console.log(server.url);
 */
export async function serveDashboard(app: RequestHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 7315;
  return process.versions.bun ? serveWithBun(app, host, port) : serveWithNode(app, host, port);
}

function urlOf(host: string, port: number): string {
  const name = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${name}:${port}/`;
}

async function serveWithBun(app: RequestHandler, host: string, port: number): Promise<RunningServer> {
  const server = Bun.serve({ hostname: host, port, fetch: (request) => app.handle(request) });
  const bound = server.port ?? port;
  return { url: urlOf(host, bound), port: bound, close: async () => void (await server.stop(true)) };
}

async function serveWithNode(app: RequestHandler, host: string, port: number): Promise<RunningServer> {
  const { createServer } = await import("node:http");
  const server = createServer(nodeRequestListener(app));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  return {
    url: urlOf(host, bound),
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A `node:http` request listener handing each request to `app.handle`. */
export function nodeRequestListener(app: RequestHandler): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  return (incoming, outgoing) => {
    bridge(app, incoming, outgoing).catch((error) => {
      if (!outgoing.headersSent) outgoing.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      outgoing.end(`Internal error: ${(error as Error).message}`);
    });
  };
}

/**
 * The largest body read into memory. The dashboard's only write takes a few hundred bytes, and any
 * web page may send a no-cors POST to a local port, so larger bodies are refused unread (Bun.serve
 * has its own limit).
 */
const MAX_BODY_BYTES = 1024 * 1024;

function refuseBody(incoming: IncomingMessage, outgoing: ServerResponse): void {
  outgoing.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" });
  outgoing.end(`Request body larger than ${MAX_BODY_BYTES} bytes.`);
  incoming.resume();
}

/** One Node request → a web `Request` → `app.handle` → the Node response. */
async function bridge(app: RequestHandler, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const method = incoming.method ?? "GET";
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (method !== "GET" && method !== "HEAD") {
    if (Number(incoming.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return refuseBody(incoming, outgoing);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return refuseBody(incoming, outgoing);
      chunks.push(chunk as Buffer);
    }
    body = new Uint8Array(Buffer.concat(chunks));
  }
  const request = new Request(new URL(incoming.url ?? "/", `http://${incoming.headers.host ?? "localhost"}`), { method, headers, body });
  const response = await app.handle(request);
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => void (responseHeaders[name] = value));
  outgoing.writeHead(response.status, responseHeaders);
  outgoing.end(method === "HEAD" ? undefined : Buffer.from(await response.arrayBuffer()));
}
