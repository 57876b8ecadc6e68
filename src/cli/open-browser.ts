import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, command)));
}

/**
 * Opens `url` in the user's browser when the machine has one (`open` on macOS, `start` on Windows,
 * `xdg-open` on a Linux desktop). Returns whether it tried; never throws, never waits.
 */
export function openBrowser(url: string): boolean {
  let command: string;
  let args: string[];
  if (process.platform === "darwin") [command, args] = ["open", [url]];
  else if (process.platform === "win32") [command, args] = ["cmd", ["/c", "start", '""', url]];
  else {
    // A server or container has no display: nothing to open, and xdg-open would only complain.
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
    [command, args] = ["xdg-open", [url]];
  }
  if (process.platform !== "win32" && !onPath(command)) return false;
  try {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
