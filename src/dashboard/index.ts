export { createDashboardApp, type DashboardApp, type DashboardOptions } from "./app.ts";
export { defaultDbPath } from "./paths.ts";
export { serveDashboard, type RunningServer, type ServeOptions } from "./serve.ts";
