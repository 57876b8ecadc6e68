import type { DashboardApp } from "../../src/dashboard/app.ts";

export const ORIGIN = "http://127.0.0.1:7315";

/** A GET answered in-process, parsed as JSON. */
export async function getJson(app: DashboardApp, path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await app.handle(new Request(`${ORIGIN}${path}`));
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** A PUT of `body` as the dashboard page sends it, with headers overridable ("" leaves one out). */
export async function put(app: DashboardApp, path: string, body: unknown, headers: Record<string, string> = {}) {
  const all = { "content-type": "application/json", origin: ORIGIN, "sec-fetch-site": "same-origin", ...headers };
  const response = await app.handle(
    new Request(`${ORIGIN}${path}`, {
      method: "PUT",
      headers: Object.fromEntries(Object.entries(all).filter(([, value]) => value !== "")),
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
  return { status: response.status, body: await response.json() };
}
