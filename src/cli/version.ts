import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of ecoai's package.json, found by walking up from this file: it runs from
 * `src/cli/` (Bun, a clone) and from `dist/src/cli/` (Node), at different depths below it.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "ecoai") return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of ecoai above ${from}`);
  }
}

/** The version in ecoai's package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}
