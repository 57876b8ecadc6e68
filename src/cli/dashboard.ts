import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { networkInterfaces } from "node:os";
import { addressWithToken, TOKEN_PATTERN } from "../dashboard/access.ts";
import { isLoopback } from "../dashboard/security.ts";
import { CliUsageError, parsePort, unreadableUsageLog, settingsPathFor, usageDbPath } from "./options.ts";
import { openBrowser } from "./open-browser.ts";
import type { StorageType } from "../types.ts";

export const DASHBOARD_HELP = `Usage: ecoai dashboard [options]

Serves the local dashboard over the usage log: what calls cost, saved and took, by time
range, provider, model and namespace; the request log with each call's detail; prompts;
export; the settings form. Works offline. Stop it with Ctrl+C.

Options:
  --db PATH          Usage log (default: $ECOAI_DB_PATH or .ecoai/usage.db)
  --settings PATH    Settings file (default: settings.json beside the usage log)
  --cache PATH       SQLite cache, for cached responses and "invalidate this entry"
                     (default: cache.db beside the usage log)
  --storage TYPE     The cache's storage: sqlite, redis or memory (default: $ECOAI_STORAGE or sqlite)
  --redis-url URL    The Redis cache's URL (default: $ECOAI_REDIS_URL)
  --port N           Port, 0 for any free one (default: $ECOAI_DASHBOARD_PORT or 7315)
  --host H           Address to bind (default: 127.0.0.1). Beyond loopback every request
                     needs the access token in the printed address.
  --token T          That access token (default: $ECOAI_DASHBOARD_TOKEN, else a random one;
                     16+ letters, digits, - or _). Given on loopback, it is required there too.
  --no-browser       Do not open a browser
  -h, --help         Show this help`;

export async function runDashboard(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: "string" },
      settings: { type: "string" },
      cache: { type: "string" },
      storage: { type: "string" },
      "redis-url": { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      token: { type: "string" },
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
  const token = accessToken(values.token, process.env.ECOAI_DASHBOARD_TOKEN);
  const dbPath = usageDbPath(values.db);
  const settingsPath = settingsPathFor(dbPath, values.settings);

  const existedBefore = existsSync(dbPath);
  const { createDashboardApp } = await import("../dashboard/app.ts");
  const { serveDashboard } = await import("../dashboard/serve.ts");
  let app;
  try {
    app = await createDashboardApp({
      dbPath,
      settingsPath,
      host,
      ...(token === undefined ? {} : { token }),
      ...(values.cache === undefined ? {} : { cachePath: values.cache }),
      ...(values.storage === undefined ? {} : { storage: storageType(values.storage) }),
      ...(values["redis-url"] === undefined ? {} : { redisUrl: values["redis-url"] }),
    });
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
  for (const address of otherMachinesAddresses(host, server.port, app.token)) console.log(`  from other machines: ${address}`);
  console.log(`  settings: ${settingsPath}`);
  if (!isLoopback(host)) {
    console.log(`  warning: bound to ${host}, reachable from other machines. Every request must carry the access token in`);
    console.log("  the address: anyone who can reach this address could otherwise read every prompt and change");
    console.log("  settings. Share it only with people who may see your prompts; it is not encrypted (no HTTPS).");
  }
  if (!values["no-browser"] && openBrowser(server.url)) console.log("  opening your browser…");
  console.log("Press Ctrl+C to stop.");

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  await app.close();
  return 0;
}

/** `--storage`: one of the storages EcoAI has. */
function storageType(value: string): StorageType {
  if (value !== "sqlite" && value !== "redis" && value !== "memory") throw new CliUsageError(`--storage must be sqlite, redis or memory, got ${JSON.stringify(value)}`);
  return value;
}

/** `--token`, else `$ECOAI_DASHBOARD_TOKEN` (which keeps it out of the process list), checked. */
function accessToken(flag: string | undefined, env: string | undefined): string | undefined {
  const [token, from] = flag !== undefined ? [flag, "--token"] : env ? [env, "ECOAI_DASHBOARD_TOKEN"] : [undefined, ""];
  if (token !== undefined && !TOKEN_PATTERN.test(token)) {
    throw new CliUsageError(`${from} must be 16 to 256 letters, digits, '-' or '_' (leave it out for a random one)`);
  }
  return token;
}

/** Bound to every interface, the printed address is loopback's; these are the others' (IPv4). */
function otherMachinesAddresses(host: string, port: number, token: string | undefined): string[] {
  if (host !== "0.0.0.0" && host !== "::") return [];
  return Object.values(networkInterfaces())
    .flat()
    .filter((net) => net !== undefined && net.family === "IPv4" && !net.internal)
    .map((net) => addressWithToken(`http://${net!.address}:${port}/`, token));
}
