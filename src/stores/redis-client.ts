import { EcoAIError } from "../errors.ts";

type Arg = string | number | Buffer;

/** The part of an `ioredis` client the Redis store uses (typed here so `ioredis` stays optional). */
export interface RedisClient {
  readonly status: string;
  call(command: string, ...args: Arg[]): Promise<unknown>;
  callBuffer(command: string, ...args: Arg[]): Promise<unknown>;
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
  let Redis: new (url: string, options: object) => RedisClient;
  try {
    ({ Redis } = (await import("ioredis")) as unknown as { Redis: typeof Redis });
  } catch (error) {
    throw new EcoAIError("ECOAI_STORAGE_UNAVAILABLE", 'storage "redis" needs the ioredis package: npm install ioredis (or bun add ioredis).', { cause: error });
  }
  const client = new Redis(url, clientOptions(options));
  // Without a listener, ioredis reports every failed reconnect on the console; the engine reports
  // outages once, through the logger, when a command fails.
  client.on("error", () => {});
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
