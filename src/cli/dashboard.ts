import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { isLoopback } from "../dashboard/security.ts";
import { CliUsageError, parsePort, unreadableUsageLog, settingsPathFor, usageDbPath } from "./options.ts";
import { openBrowser } from "./open-browser.ts";

export const DASHBOARD_HELP = `Usage: ecoai dashboard [options]

Serves the local dashboard: totals, hit rate per day, models, cached prompts and the
settings form, over the usage log. Works offline. Stop it with Ctrl+C.

Options:
  --db PATH          Usage log (default: $ECOAI_DB_PATH or .ecoai/usage.db)
  --settings PATH    Settings file (default: settings.json beside the usage log)
  --port N           Port, 0 for any free one (default: $ECOAI_DASHBOARD_PORT or 7315)
  --host H           Address to bind (default: 127.0.0.1; anything else exposes your prompts)
  --no-browser       Do not open a browser
  -h, --help         Show this help`;

export async function runDashboard(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: "string" },
      settings: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "no-browser": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(DASHBOARD_HELP);
    return 0;
  }
  const envPort = process.env.ECOAI_DASHBOARD_PORT;
  const port = values.port !== undefined ? parsePort(values.port, "--port") : envPort ? parsePort(envPort, "ECOAI_DASHBOARD_PORT") : 7315;
  const host = values.host ?? "127.0.0.1";
  if (host.trim() === "") throw new CliUsageError("--host must not be empty");
  const dbPath = usageDbPath(values.db);
  const settingsPath = settingsPathFor(dbPath, values.settings);

  const existedBefore = existsSync(dbPath);
  const { createDashboardApp } = await import("../dashboard/app.ts");
  const { serveDashboard } = await import("../dashboard/serve.ts");
  let app;
  try {
    app = await createDashboardApp({ dbPath, settingsPath, host });
  } catch (error) {
    throw unreadableUsageLog(dbPath, error);
  }
  const started = Date.now();
  console.log(`ecoai dashboard: reading the usage log ${dbPath}…`);
  // An empty log is a fresh start or a mistyped --db: say which file will fill up.
  if (!existedBefore) console.log(`  no calls logged there yet; calls through EcoAI with logPath "${dbPath}" will appear as they are made.`);
  app.prepare();
  if (Date.now() - started > 1000) console.log(`  ready in ${((Date.now() - started) / 1000).toFixed(1)} s (later starts only read new rows)`);
  let server;
  try {
    server = await serveDashboard(app, { host, port });
  } catch (error) {
    app.close();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE" || /in use/i.test(String((error as Error).message))) {
      console.error(`ecoai dashboard: port ${port} is already in use; pass --port with another one (or 0 for any free port).`);
      return 1;
    }
    throw error;
  }

  console.log(`ecoai dashboard: ${server.url}`);
  console.log(`  settings: ${settingsPath}`);
  if (!isLoopback(host)) console.log(`  warning: bound to ${host}; anyone who can reach this address can read your prompts and change settings.`);
  if (!values["no-browser"] && openBrowser(server.url)) console.log("  opening your browser…");
  console.log("Press Ctrl+C to stop.");

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  app.close();
  return 0;
}
