import { dirname, join } from "node:path";

/** The usage log path the dashboard and the CLI use when none is given. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ECOAI_DB_PATH || ".ecoai/usage.db";
}

/** The settings file the dashboard edits when none is given: `settings.json` beside the usage log. */
export function settingsPathBeside(dbPath: string): string {
  return join(dirname(dbPath), "settings.json");
}
