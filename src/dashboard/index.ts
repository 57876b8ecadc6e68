export { createDashboardApp, defaultDbPath, type DashboardApp, type DashboardOptions } from "./app.ts";
export { serveDashboard, type RunningServer, type ServeOptions } from "./serve.ts";
