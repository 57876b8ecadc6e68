import { EcoAIError } from "../errors.ts";
import { useIoredis } from "./redis-send.ts";

type Arg = string | number | Buffer;

/** The part of an `ioredis` client the Redis store uses (typed here so `ioredis` stays optional). */
export interface RedisClient {
  readonly status: string;
  call(command: string, ...args: Arg[]): Promise<unknown>;
  callBuffer(command: string, ...args: Arg[]): Promise<unknown>;
  /** Sends a built `Command` (see `redis-send.ts`). */
  sendCommand?(command: unknown): Promise<unknown>;
  /** The current connection's socket (replaced on reconnect). */
  readonly stream?: { cork(): void; uncork(): void };
  pipeline(commands: Arg[][]): { exec(): Promise<[Error | null, unknown][] | null> };
  multi(commands: Arg[][]): { exec(): Promise<[Error | null, unknown][] | null> };
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

export interface RedisConnectionOptions {
  /**
   * How long opening a connection may take before it counts as failed.
   * @default 500
   */
  connectTimeoutMs?: number;
  /**
   * How long one command may take before it fails (and the call goes upstream).
   * @default 500
   */
  commandTimeoutMs?: number;
}

/**
 * Client options that make a dead or slow server cost milliseconds: commands fail at once while
 * disconnected (no offline queue), never wait for a reconnect, and time out quickly; reconnecting
 * goes on in the background for as long as the store is open.
 */
export function clientOptions(options: RedisConnectionOptions = {}) {
  return {
    connectTimeout: options.connectTimeoutMs ?? 500,
    commandTimeout: options.commandTimeoutMs ?? 500,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Capped back-off: a server that returns is noticed within half a second.
    retryStrategy: (attempt: number) => Math.min(attempt * 50, 500),
    // Subscriptions and blocking commands are never used; the ready check costs one INFO per connect.
    autoResubscribe: false,
  };
}

/**
 * Opens a client with `ioredis`, imported on first use so that applications that never pick Redis
 * never load it. Resolves once the first connection attempt has succeeded or failed (never
 * rejects for an unreachable server: the store's commands then fail fast until it is reachable).
 */
export async function connectRedis(url: string, options: RedisConnectionOptions = {}): Promise<RedisClient> {
  let ioredis: { Redis: new (url: string, options: object) => RedisClient; Command?: unknown };
  try {
    ioredis = (await import("ioredis")) as unknown as typeof ioredis;
  } catch (error) {
    throw new EcoAIError("ECOAI_STORAGE_UNAVAILABLE", 'storage "redis" needs the ioredis package: npm install ioredis (or bun add ioredis).', { cause: error });
  }
  useIoredis(ioredis, await import("node:diagnostics_channel").catch(() => undefined));
  const { Redis } = ioredis;
  const client = new Redis(url, clientOptions(options));
  // Without a listener, ioredis reports every failed reconnect on the console; the engine reports
  // outages once, through the logger, when a command fails. The latest one says why commands fail.
  client.on("error", (error) => void connectionErrors.set(client, error as Error));
  client.on("ready", () => void connectionErrors.delete(client));
  await new Promise<void>((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      for (const event of ["ready", "error", "end"]) client.removeListener(event, settle);
      resolve();
    };
    const timer = setTimeout(settle, (options.connectTimeoutMs ?? 500) + 50);
    for (const event of ["ready", "error", "end"]) client.once(event, settle);
  });
  return client;
}

/** Why each client's connection is not ready: the last error it reported, until it is ready again. */
const connectionErrors = new WeakMap<RedisClient, Error>();

/**
 * A command's failure as an operator needs it: while the connection is down, ioredis fails every
 * command with "Stream isn't writeable…", and the reason (a refused password, a server that does
 * not speak Redis, nothing listening) is in the connection's own error, put in words here.
 */
export function explainRedisError(client: RedisClient, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const connection = client.status === "ready" ? undefined : connectionErrors.get(client);
  // Down with no error of its own yet (still connecting, or closed by a quit).
  if (!connection && client.status !== "ready" && /Stream isn't writeable|Connection is closed/.test(message)) {
    const state = client.status === "reconnecting" ? "the connection was lost; reconnecting" : client.status === "end" ? "the connection is closed" : "still connecting";
    return new Error(`not connected (${state})`, { cause: error });
  }
  const reason = connection ?? (error instanceof Error ? error : new Error(message));
  const explained = explain(reason);
  return explained === reason.message && reason === error ? (error as Error) : new Error(explained, { cause: reason });
}

function explain(error: Error & { code?: unknown }): string {
  const text = error.message.split("\n")[0]!;
  if (text.startsWith("WRONGPASS")) return `the server refused the user name or password in the URL (${text})`;
  if (text.startsWith("NOAUTH")) return "the server requires a password and the URL gives none (NOAUTH Authentication required): use redis://:password@host:port";
  if (/Unknown RESP type|Protocol error|unexpected reply/i.test(text)) return `not a Redis server: what answers there does not speak the Redis protocol (${text})`;
  if (error.code === "ECONNREFUSED") return `connection refused: nothing listens at that address (${text})`;
  if (error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") return `host not found (${text})`;
  if (text === "Command timed out") return "the server did not answer in time (command timed out)";
  return text;
}

/**
 * The URL with its password (in the authority or a `password` query parameter) masked, for
 * warnings and errors.
 *
 * @example
 * redactRedisUrl("redis://:s3cret@cache:6379/0"); // → "redis://:***@cache:6379/0"
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***");
    return parsed.toString().replace("%2A%2A%2A", "***");
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/** Closes politely when connected, at once otherwise; stops reconnecting either way. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === "ready") {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection went away while quitting.
    }
  }
  client.disconnect();
}
