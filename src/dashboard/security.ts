/**
 * What every dashboard response carries, and the checks a request must pass before it may change
 * anything. The dashboard holds no secret, but it shows prompts and writes the settings file, so
 * another web page must neither read it (DNS rebinding) nor write through it (cross-site requests).
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

/**
 * A dashboard bound to loopback answers only requests addressed to a loopback name, so a page on
 * another site cannot point its own host name at 127.0.0.1 and read the API.
 */
export function hostAllowed(request: Request, loopbackOnly: boolean): boolean {
  if (!loopbackOnly) return true;
  return isLoopback(new URL(request.url).hostname);
}

/**
 * Why a state-changing request is refused, or `undefined` when it may proceed: it must be a JSON
 * body sent by a page of this same origin (`Sec-Fetch-Site: same-origin`, or an `Origin` equal to
 * the request's own).
 */
export function writeRefusal(request: Request): { status: number; error: string } | undefined {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    return { status: 415, error: "Send the settings as a JSON body with Content-Type: application/json." };
  }
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  if (site !== null && site !== "same-origin") return { status: 403, error: "Refused: the request came from another site." };
  if (origin !== null) {
    if (origin !== new URL(request.url).origin) return { status: 403, error: `Refused: origin ${origin} is not this dashboard.` };
    return undefined;
  }
  if (site === "same-origin") return undefined;
  return { status: 403, error: "Refused: a request that changes settings must come from the dashboard page (same origin)." };
}
