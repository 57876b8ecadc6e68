import { addressWithToken } from "./access.ts";
import { MAX_BODY_BYTES, plainText } from "./http.ts";
import { withSecurityHeaders } from "./security.ts";

/** Anything that answers a web-standard request, such as a `DashboardApp`. */
export interface RequestHandler {
  handle(request: Request): Promise<Response>;
  /** The access token requests must carry, printed as part of the address (see `DashboardApp`). */
  readonly token?: string | undefined;
}

export interface ServeOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** `0` picks a free port. @default 7315 */
  port?: number;
}

/** A listening server. */
export interface RunningServer {
  /**
   * Where it answers, with the port actually bound and, when the app needs one, its access token:
   * `http://127.0.0.1:7315/`, `http://127.0.0.1:7315/?token=…`.
   */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `app` over HTTP with srvx (the server layer Elysia's own Node adapter runs on): `Bun.serve`
 * under Bun, `node:http` under Node, each request handed to `app.handle` as a web `Request`. The
 * HTTP edge cases (absolute-form and `//` targets, bodies, back-pressure) are the adapter's; srvx
 * is loaded here, on first use, like Elysia.
 *
 * @example
 * const server = await serveDashboard(await createDashboardApp(), { port: 7315 });
 * console.log(server.url);
 */
export async function serveDashboard(app: RequestHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const { serve } = await import("srvx");
  const server = serve({
    fetch: (request) => answer(app, request),
    hostname: host,
    port: options.port ?? 7315,
    // The app refuses a larger declared length itself; this also stops a streamed body.
    maxRequestBodySize: MAX_BODY_BYTES,
    // The command prints its own address, handles its own signals, and answers its own errors.
    silent: true,
    gracefulShutdown: false,
    error: () => withSecurityHeaders(plainText(500, "Internal error.")),
    // Never Bun's development error page: it shows stack frames and the working directory.
    bun: { development: false },
  });
  await server.ready();
  const port = Number(new URL(server.url!).port);
  return {
    url: addressWithToken(urlOf(host, port), app.token),
    port,
    close: () => server.close(true),
  };
}

/**
 * Every request that reaches a server carries a `Host` (HTTP/1.1 requires one); without it the
 * adapters make one up from the socket, so such a request is refused rather than guessed at.
 */
function answer(app: RequestHandler, request: Request): Promise<Response> | Response {
  if (!request.headers.has("host")) return withSecurityHeaders(plainText(400, "Bad request: no Host header."));
  return app.handle(request);
}

function urlOf(host: string, port: number): string {
  const name = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${name}:${port}/`;
}
