import { afterEach, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openBrowser } from "../../src/cli/open-browser.ts";
import { tempDir } from "../temp.ts";

const saved = { PATH: process.env.PATH, DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/**
 * A folder holding a stand-in `xdg-open` that writes the URL it was given to `opened.txt`
 * (written beside it, then renamed, so the file never exists half-written).
 */
function fakeOpener(): { dir: string; opened: string } {
  const dir = tempDir();
  const opened = join(dir, "opened.txt");
  writeFileSync(join(dir, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > "${opened}.part" && /bin/mv "${opened}.part" "${opened}"\n`);
  chmodSync(join(dir, "xdg-open"), 0o755);
  return { dir, opened };
}

test.skipIf(process.platform !== "linux")("on a Linux desktop the URL goes to xdg-open", async () => {
  const { dir, opened } = fakeOpener();
  process.env.PATH = dir;
  process.env.DISPLAY = ":0";
  expect(openBrowser("http://127.0.0.1:7315/")).toBe(true);
  for (let i = 0; i < 400 && !existsSync(opened); i++) await Bun.sleep(10);
  expect(readFileSync(opened, "utf8")).toBe("http://127.0.0.1:7315/");
});

test.skipIf(process.platform !== "linux")("no display, or no xdg-open: nothing is started and nothing throws", () => {
  const { dir, opened } = fakeOpener();
  process.env.PATH = dir;
  delete process.env.DISPLAY;
  delete process.env.WAYLAND_DISPLAY;
  expect(openBrowser("http://127.0.0.1:7315/")).toBe(false);
  process.env.DISPLAY = ":0";
  process.env.PATH = tempDir();
  expect(openBrowser("http://127.0.0.1:7315/")).toBe(false);
  expect(existsSync(opened)).toBe(false);
});
