/**
 * Dashboards opened in-process over one usage log, all closed after the test file: several on one
 * file stand for several `ecoai dashboard` processes sharing it.
 * @module
 */
import { afterAll } from "bun:test";
import { createDashboardApp, type DashboardApp } from "../../src/dashboard/app.ts";

/** Opens a new dashboard over `dbPath` at each call, with the clock stopped at `now`. */
export function dashboardsOver(dbPath: string, settingsPath: string, now: Date): () => Promise<DashboardApp> {
  const opened: DashboardApp[] = [];
  afterAll(async () => {
    for (const app of opened) await app.close();
  });
  return async () => {
    const app = await createDashboardApp({ dbPath, settingsPath, now: () => now });
    opened.push(app);
    return app;
  };
}
