import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The version in ecoai's package.json, found by walking up from this file: it runs from `src/cli/`
 * (Bun, a clone) and from `dist/src/cli/` (Node), at different depths below the package root.
 */
export function packageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (name === "ecoai" && version) return version;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of ecoai above ${from}`);
  }
}
