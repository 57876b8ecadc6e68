/**
 * Cache reads under Bun through the runtime's own Redis client. A hit's HMGET costs ioredis
 * 20–30 µs of per-command machinery over the round trip; Bun's native `RedisClient` sends and
 * parses it for about half that. Everything else the store does (writes, scripts, locks, vector
 * listings, and every command under Node) stays on ioredis, and so does a read whenever this
 * connection is not usable at that moment: it is opened only once ioredis is ready, to the
 * address, user, password and database ioredis resolved, and reads go through it only while it
 * is connected.
 *
 * Bun's client has no command timeout, so the reads in flight on it are timed here by one timer
 * set for the oldest read's deadline (rather than a timer per read); a read past it fails with
 * ioredis's own timeout error, so the store reports and backs off as it does for ioredis.
 *
 * @module
 */
import type { RedisClient, RedisConnectionOptions } from "./redis-client.ts";

/** What the store uses of Bun's `RedisClient` (typed here so the module also loads under Node). */
interface NativeClient {
  readonly connected: boolean;
  onclose: ((error: Error) => void) | null;
  connect(): Promise<void>;
  close(): void;
  hmget(key: string, fields: string[]): Promise<(string | null)[]>;
}

type NativeClientClass = new (url: string, options: object) => NativeClient;

/** Where ioredis connected, as ioredis resolved it from the URL and options. */
interface ResolvedOptions {
  host?: string;
  port?: number;
  path?: string | null;
  username?: string | null;
  password?: string | null;
  db?: number;
  tls?: unknown;
}

/** The same message as ioredis's command timeout, so the store explains and backs off alike. */
export const TIMEOUT_MESSAGE = "Command timed out";

/** A failed Bun connection is opened anew at most this often (while ioredis stays ready). */
const REOPEN_INTERVAL_MS = 1000;

export interface BunReads {
  /**
   * Sends `HMGET key fields…` on the Bun connection and resolves with the fields as text; undefined
   * when that connection is not connected (the caller reads through ioredis). Rejects with
   * ioredis's timeout error when no reply comes within the command timeout.
   */
  read(key: string): Promise<(string | null)[]> | undefined;
  /** Closes the Bun connection and stops opening it. */
  close(): void;
}

interface InFlight {
  at: number;
  reject: (error: Error) => void;
}

/**
 * Cache reads over Bun's `RedisClient` beside the given ioredis client, or undefined where that
 * does not apply: outside Bun, and for TLS or Unix-socket connections (which stay on ioredis).
 */
export function openBunReads(ioredis: RedisClient, fields: readonly string[], options: RedisConnectionOptions = {}): BunReads | undefined {
  const found = (globalThis as { Bun?: { RedisClient?: NativeClientClass } }).Bun?.RedisClient;
  if (typeof found !== "function") return undefined;
  const Native = found;
  const names = [...fields];
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  const connectionTimeout = options.connectTimeoutMs ?? 500;
  let client: NativeClient | undefined;
  let openedAt = 0;
  let closed = false;

  /** Opens a Bun connection to where ioredis is connected, unless one is open (or was tried just now). */
  function open(): void {
    if (closed || client !== undefined || ioredis.status !== "ready") return;
    const url = urlOf(ioredis);
    if (url === undefined) return;
    openedAt = Date.now();
    const opened = new Native(url, { enableOfflineQueue: false, autoReconnect: true, connectionTimeout, enableAutoPipelining: true });
    // Runs once Bun has given up reconnecting: the next read or ioredis's next ready opens anew.
    opened.onclose = () => {
      if (client === opened) client = undefined;
    };
    client = opened;
    opened.connect().catch(() => {});
  }
  const onReady = () => open();
  ioredis.on("ready", onReady);
  open();

  /** Reads in flight on the Bun connection, oldest first (a Set keeps insertion order). */
  const inFlight = new Set<InFlight>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Fails the reads past their deadline; set again for the oldest one left. */
  function sweep(): void {
    timer = undefined;
    const now = Date.now();
    for (const read of inFlight) {
      const left = read.at + commandTimeoutMs - now;
      if (left > 0) {
        timer = setTimeout(sweep, left);
        return;
      }
      inFlight.delete(read);
      read.reject(new Error(TIMEOUT_MESSAGE));
    }
  }

  return {
    read(key) {
      const native = client;
      if (native === undefined || !native.connected) {
        if (native === undefined && Date.now() - openedAt >= REOPEN_INTERVAL_MS) open();
        return undefined;
      }
      // Reads that pile up go through ioredis, whose read path sends a turn's reads in one socket
      // write (redis-send.ts); this client writes each command on its own, which at 64 reads in
      // flight cost more than it saves.
      if (inFlight.size > 0) return undefined;
      return new Promise((resolve, reject) => {
        const read: InFlight = { at: Date.now(), reject };
        inFlight.add(read);
        timer ??= setTimeout(sweep, commandTimeoutMs);
        native.hmget(key, names).then(
          (values) => {
            inFlight.delete(read);
            resolve(values);
          },
          (error: unknown) => {
            inFlight.delete(read);
            reject(error);
          },
        );
      });
    },
    close() {
      closed = true;
      ioredis.removeListener("ready", onReady);
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      client?.close();
      client = undefined;
    },
  };
}

/**
 * The URL of the server ioredis is connected to: the address its socket reached (so a host name
 * that resolves to several addresses is not resolved again), its user, password and database.
 * Undefined for TLS and Unix sockets.
 */
function urlOf(ioredis: RedisClient): string | undefined {
  const options = (ioredis as { options?: ResolvedOptions }).options;
  if (options === undefined || options.tls || options.path) return undefined;
  const socket = ioredis.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  const address = socket?.remoteAddress ?? options.host ?? "127.0.0.1";
  const host = address.includes(":") ? `[${address}]` : address;
  const port = socket?.remotePort ?? options.port ?? 6379;
  const user = options.username ? encodeURIComponent(options.username) : "";
  const auth = options.password ? `${user}:${encodeURIComponent(options.password)}@` : user ? `${user}@` : "";
  return `redis://${auth}${host}:${port}/${options.db ?? 0}`;
}
