/**
 * The simulator's HTTP server (`node:http`, so it runs under Bun and Node alike): dispatch by
 * path prefix to a provider mount, request recording, injected failures and delays.
 *
 * @module
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { anthropicMount } from "./anthropic.ts";
import { azureOpenAIMount } from "./azure-openai.ts";
import { geminiMount } from "./gemini.ts";
import { parseMultipart } from "./multipart.ts";
import { openaiMount } from "./openai.ts";
import { INVALID_JSON_MESSAGE } from "./openai-wire.ts";
import { SIM_HEADERS } from "./headers.ts";
import { writeSse } from "./sse.ts";
import { createStreamFaultQueue, planStream } from "./stream-faults.ts";
import type { StreamPlan } from "./stream-faults.ts";
import type {
  FailNextOptions,
  JsonResponse,
  ProviderMount,
  RecordedRequest,
  Route,
  SimRequest,
  SimResponse,
  SimulatorOptions,
  Simulator,
} from "./types.ts";

/**
 * Providers by path prefix. Anthropic and Gemini plug in here as sibling files; their SDKs
 * also call `/v1/...`, so give them their own prefix (e.g. `/anthropic`, SDK `baseURL`
 * `<url>/anthropic`).
 */
const MOUNTS: readonly ProviderMount[] = [openaiMount, anthropicMount, geminiMount, azureOpenAIMount];

/** Statuses the SDKs retry, which get a `retry-after` so retries skip the backoff sleep. */
const RETRIED_STATUSES = new Set([408, 409, 429]);

/** How long an idle connection is kept open (see where the server is made). */
const KEEP_ALIVE_MS = 120_000;

interface PendingFailure {
  status: number;
  remaining: number;
  options: FailNextOptions;
}

/**
 * Start a simulator on a free port (or `options.port`).
 *
 * @example
 * ```ts
 * const sim = await startSimulator();
 * const client = new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-test" });
 * await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
 * sim.count("openai.chat.completions"); // 1
 * await sim.close();
 * ```
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const failures: PendingFailure[] = [];
  const streamFaults = createStreamFaultQueue();
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const sim: Simulator = {
    url: "",
    openaiBaseURL: "",
    anthropicBaseURL: "",
    geminiBaseURL: "",
    requests: [],
    delayMs: options.delayMs ?? 0,
    chunkGapMs: options.chunkGapMs ?? 0,
    count: (route) => (route === undefined ? sim.requests.length : sim.requests.filter((r) => r.route === route).length),
    reset: () => {
      sim.requests.length = 0;
      failures.length = 0;
      streamFaults.clear();
    },
    failNext: (status, failOptions = {}) => {
      failures.push({ status, remaining: failOptions.times ?? 1, options: failOptions });
    },
    failNextStream: (streamOptions = {}) => {
      streamFaults.push(streamOptions);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const takeFailure = (route: string): PendingFailure | undefined => {
    const index = failures.findIndex((f) => f.options.route === undefined || f.options.route === route);
    const failure = failures[index];
    if (!failure) return undefined;
    if (--failure.remaining <= 0) failures.splice(index, 1);
    return failure;
  };

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, json: { error: { message: String(error), type: "server_error", param: null, code: null } } });
      else res.destroy();
    });
  });
  // Idle connections are kept as long as a client's pool keeps them: closed after node:http's
  // default 5 s, one that a client reuses at that moment fails its request (ECONNRESET), which a
  // provider's servers, keeping connections far longer, do not do to a client idle for seconds.
  server.keepAliveTimeout = KEEP_ALIVE_MS;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers = flattenHeaders(req);
    const method = req.method ?? "GET";
    const mount = findMount(url.pathname);
    const found = mount ? findRoute(mount, method, url.pathname) : undefined;
    const { body, invalid, files } = parseBody(rawBody, headers["content-type"]);
    const route = found?.route.name ?? "unknown";
    const request: SimRequest = { route, method, path: url.pathname, body, headers, url, rawBody, ...(files ? { files } : {}) };
    sim.requests.push({ route, method, path: url.pathname, body, headers, ...(files ? { files } : {}) } satisfies RecordedRequest);

    const failure = takeFailure(route);
    let response: SimResponse;
    if (failure) response = failureResponse(mount ?? openaiMount, failure);
    else if (!mount) response = openaiMount.error(404, `Invalid URL (${method} ${url.pathname})`);
    else response = mount.authenticate?.(request) ?? answer(mount, found, request, invalid);

    const delay = Number(headers[SIM_HEADERS.delayMs] ?? sim.delayMs);
    if (delay > 0) await wait(delay);
    const plan = "events" in response ? planStream(response, headers, { gapMs: sim.chunkGapMs, pending: () => streamFaults.take(route) }) : undefined;
    send(res, response, plan);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(":") ? `[${address.address}]` : address.address;
  sim.url = `http://${host}:${address.port}`;
  sim.openaiBaseURL = `${sim.url}/v1`;
  sim.anthropicBaseURL = `${sim.url}${anthropicMount.basePath}`;
  sim.geminiBaseURL = `${sim.url}${geminiMount.basePath}`;
  return sim;
}

function answer(mount: ProviderMount, found: { route: Route; match: RegExpMatchArray } | undefined, request: SimRequest, invalid: boolean): SimResponse {
  if (!found) return mount.error(404, `Invalid URL (${request.method} ${request.path})`);
  if (invalid) return mount.error(400, INVALID_JSON_MESSAGE);
  return found.route.handle(request, found.match);
}

function failureResponse(mount: ProviderMount, failure: PendingFailure): JsonResponse {
  const { status, options } = failure;
  const response = mount.error(status, options.message, options.code === undefined ? {} : { code: options.code });
  const retryAfter = options.retryAfter === undefined ? 0 : options.retryAfter;
  if (retryAfter !== null && (RETRIED_STATUSES.has(status) || status >= 500)) {
    response.headers = { ...response.headers, "retry-after": String(retryAfter) };
  }
  return response;
}

function findMount(path: string): ProviderMount | undefined {
  let best: ProviderMount | undefined;
  for (const mount of MOUNTS) {
    const matches = path === mount.basePath || path.startsWith(`${mount.basePath}/`);
    if (matches && (!best || mount.basePath.length > best.basePath.length)) best = mount;
  }
  return best;
}

function findRoute(mount: ProviderMount, method: string, path: string): { route: Route; match: RegExpMatchArray } | undefined {
  const rest = path.slice(mount.basePath.length);
  for (const route of mount.routes) {
    const match = route.method === method ? rest.match(route.pattern) : null;
    if (match) return { route, match };
  }
  return undefined;
}

function parseBody(raw: Buffer, contentType: string | undefined): { body: unknown; invalid: boolean; files?: RecordedRequest["files"] } {
  if (contentType?.startsWith("multipart/form-data")) {
    const { fields, files } = parseMultipart(raw, contentType);
    return { body: fields, invalid: false, files };
  }
  if (raw.length === 0 || contentType?.startsWith("multipart/")) return { body: null, invalid: false };
  try {
    return { body: JSON.parse(raw.toString("utf8")) as unknown, invalid: false };
  } catch {
    return { body: null, invalid: true };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function send(res: ServerResponse, response: SimResponse, plan: StreamPlan = { gapMs: 0 }): void {
  if (res.destroyed) return;
  if ("events" in response) {
    res.writeHead(response.status, { ...response.headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    // Headers go out at once, as the real APIs send them before the first event.
    res.flushHeaders();
    void writeSse(res, response, plan);
    return;
  }
  const body = JSON.stringify(response.json);
  res.writeHead(response.status, {
    ...response.headers,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
  });
  res.end(body);
}
