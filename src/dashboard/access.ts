/**
 * The access token of a dashboard reachable beyond loopback. Anyone who can reach the address
 * could otherwise read every prompt, so every request (pages, assets, API) must carry the token:
 * the printed address has it as `?token=`, which the first page load trades for a cookie (HttpOnly,
 * SameSite=Strict) and the page drops from the address bar; scripts can send `Authorization: Bearer`.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { EcoAIConfigError, type ConfigSource } from "../errors.ts";
import type { Refusal } from "./security.ts";

/** The query parameter of the printed address. */
export const TOKEN_PARAM = "token";

/** What a token may be: URL- and cookie-safe characters, long enough not to be guessed. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,256}$/;

/** A fresh token: 24 random bytes, 32 characters. */
export function createAccessToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Returns `token` when it is usable, else throws a config error naming where it came from. */
export function validateAccessToken(token: string, source: ConfigSource): string {
  if (!TOKEN_PATTERN.test(token)) {
    throw new EcoAIConfigError("token", token, source, "expected 16 to 256 letters, digits, '-' or '_' (leave it out for a random one)");
  }
  return token;
}

/** `address` with the token as its query, as the dashboard prints it. */
export function addressWithToken(address: string, token: string | undefined): string {
  return token === undefined ? address : `${address}?${TOKEN_PARAM}=${token}`;
}

/**
 * The cookie's name carries the port: browsers share cookies between ports of one host, and two
 * dashboards on one machine must not overwrite each other's.
 */
function cookieName(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get("host") ?? url.host;
  const port = /:(\d+)$/.exec(host)?.[1] ?? (url.protocol === "https:" ? "443" : "80");
  return `ecoai_token_${port}`;
}

function cookieValue(request: Request, name: string): string | undefined {
  for (const pair of (request.headers.get("cookie") ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** Compares in constant time (digests of equal length), so the answer's timing tells nothing. */
function same(presented: string | null | undefined, token: string): boolean {
  if (!presented) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

/** How a request proved it holds the token, or `undefined` when it did not. */
export type Access = "cookie" | "header" | "query" | undefined;

/** Which of the cookie, the `Authorization: Bearer` header or the `?token=` parameter holds the token. */
export function accessOf(request: Request, token: string): Access {
  if (same(cookieValue(request, cookieName(request)), token)) return "cookie";
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (same(bearer, token)) return "header";
  if (same(new URL(request.url).searchParams.get(TOKEN_PARAM), token)) return "query";
  return undefined;
}

/** The answer to a request without the token: nothing of the dashboard, only how to get in. */
export const MISSING_TOKEN: Refusal = {
  status: 401,
  error: "This dashboard needs its access token: open the address `ecoai dashboard` printed (it ends in ?token=…), or send Authorization: Bearer <token>.",
};

/**
 * A page opened from the printed address, answered with the cookie that carries the token from
 * now on; the page's script then drops the token from the address bar. (Not a redirect: after a
 * navigation that began on another site, such as a link in a chat, a browser withholds a
 * SameSite=Strict cookie from the redirected request, while the page's own requests carry it.)
 */
export function withTokenCookie(page: Response, request: Request, token: string): Response {
  const headers = new Headers(page.headers);
  headers.append("set-cookie", `${cookieName(request)}=${token}; Path=/; HttpOnly; SameSite=Strict`);
  headers.set("cache-control", "no-store");
  return new Response(page.body, { status: page.status, statusText: page.statusText, headers });
}
