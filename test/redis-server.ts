/**
 * A private `redis-server` for tests and benchmarks: started on a free port with nothing kept on
 * disk, killable (SIGKILL) and restartable on the same port for fault tests, always stopped at
 * the end. The system Redis on 6379 is never touched.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "bun:test";

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** SIGKILL, as a crash would: no shutdown, clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing, as an overloaded one would. */
  pause(): void;
  /** SIGCONT after {@link RedisServer.pause}. */
  resume(): void;
  /** Stops the server for good and removes its folder. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;
const live = new Set<ChildProcess>();
// A test run that dies early must not leave servers behind.
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Spawns `redis-server` and resolves once it accepts connections. */
function launch(port: number, dir: string, extra: string[] = []): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", "", ...extra];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.once("exit", () => live.delete(child));
  return new Promise((resolve, reject) => {
    let output = "";
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`redis-server on port ${port} did not start (${reason}):\n${output}`));
    };
    const timer = setTimeout(() => fail("timeout"), STARTUP_TIMEOUT_MS);
    child.once("error", (error) => fail(`${error.message}; install Debian's redis-server`));
    child.once("exit", (code) => fail(`exit code ${code}`));
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.once("exit", () => live.delete(child));
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolve(child);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** A port nothing listens on (for servers that are down, or started later with `port`). */
export { freePort };

/**
 * Starts a private server on `port`, or on a free port (retrying if another process takes the
 * port first).
 */
export async function startRedisServer(options: { port?: number; /** More `redis-server` options, e.g. `["--requirepass", "secret"]`. */ args?: string[] } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "ecoai-redis-"));
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; !child; attempt++) {
    port = options.port ?? (await freePort());
    try {
      child = await launch(port, dir, options.args);
    } catch (error) {
      if (attempt >= 2 || options.port !== undefined) throw error;
    }
  }
  let current: ChildProcess | undefined = child;
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return current !== undefined;
    },
    async kill() {
      if (!current) return;
      const dying = current;
      current = undefined;
      dying.kill("SIGKILL");
      await exited(dying);
    },
    pause() {
      current?.kill("SIGSTOP");
    },
    resume() {
      current?.kill("SIGCONT");
    },
    async restart() {
      await server.kill();
      current = await launch(port, dir, options.args);
    },
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** One private server per test file: started before the first test, stopped after the last. */
export function useRedisServer(): { server: RedisServer } {
  const context = { server: undefined as unknown as RedisServer };
  beforeAll(async () => {
    context.server = await startRedisServer();
  });
  afterAll(async () => {
    await context.server?.stop();
  });
  return context;
}
