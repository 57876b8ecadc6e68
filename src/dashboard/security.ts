/**
 * What every dashboard response carries, and the checks a request must pass before it is answered
 * or may change anything. The dashboard shows prompts and writes the settings file, so another web
 * page must neither read it (DNS rebinding) nor write through it (cross-site requests).
 * @module
 */
import { isIPv4 } from "node:net";

/** No inline script or style anywhere: everything the pages run or apply comes from the dashboard itself. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
});

/** Returns `response` with the security headers set (a new response: some are immutable). */
export function withSecurityHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Whether `host` (a bind address or a request's host name) can only mean this machine: `localhost`
 * and its subdomains (which browsers resolve to loopback themselves), `::1`, or an IPv4 address in
 * 127.0.0.0/8. A DNS name such as `127.0.0.1.example.com` is not one: its owner can point it anywhere.
 */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name.endsWith(".localhost") || name === "::1") return true;
  return isIPv4(name) && name.startsWith("127.");
}

/** A `Host` header: a DNS name or an IPv4 address, or an IPv6 address in brackets, and an optional port. */
const HOST_HEADER = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)(?::\d{1,5})?$/i;

/** Why a request is refused before anything else looks at it, or `undefined` when it may go on. */
export interface Refusal {
  status: number;
  error: string;
}

/**
 * Checks whom a request is addressed to, from its `Host` header itself (the URL a server builds
 * may come from an absolute-form or `//` request target instead). A malformed `Host` is a 400. A
 * dashboard bound to loopback answers only requests whose `Host` and target are loopback names, so
 * a page on another site cannot point its own host name at 127.0.0.1 and read the API (DNS
 * rebinding). A request built in-process carries no `Host`; its URL then says whom it addresses.
 */
export function hostRefusal(request: Request, loopbackOnly: boolean): Refusal | undefined {
  const header = request.headers.get("host");
  if (header !== null && !HOST_HEADER.test(header)) return { status: 400, error: "Bad request: malformed Host header." };
  let target: string;
  try {
    target = new URL(request.url).hostname;
  } catch {
    return { status: 400, error: "Bad request: malformed request target." };
  }
  if (!loopbackOnly) return undefined;
  const names = header === null ? [target] : [hostName(header), target];
  if (names.every(isLoopback)) return undefined;
  return { status: 421, error: "This dashboard only answers requests addressed to localhost or 127.0.0.1." };
}

/** The host name of a well-formed `Host` header, without its port. */
function hostName(header: string): string {
  return header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.replace(/:\d+$/, "");
}

/** The origin a browser that sent `request` is on: the scheme of its URL and its `Host` header. */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  return `${url.protocol}//${request.headers.get("host") ?? url.host}`;
}

/**
 * Why a state-changing request is refused, or `undefined` when it may proceed: it must be a JSON
 * body sent by a page of this same origin (`Sec-Fetch-Site: same-origin`, or an `Origin` equal to
 * the request's own).
 */
export function writeRefusal(request: Request): Refusal | undefined {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    return { status: 415, error: "Send a JSON body with Content-Type: application/json." };
  }
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  if (site !== null && site !== "same-origin") return { status: 403, error: "Refused: the request came from another site." };
  if (origin !== null) {
    if (origin !== requestOrigin(request)) return { status: 403, error: `Refused: origin ${origin} is not this dashboard.` };
    return undefined;
  }
  if (site === "same-origin") return undefined;
  return { status: 403, error: "Refused: a request that changes anything (settings, cache entries) must come from the dashboard page (same origin)." };
}
