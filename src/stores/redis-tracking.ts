import { createEntryMemo } from "./entry-memo.ts";
import type { RedisClient } from "./redis-client.ts";
import type { CacheEntry } from "./store.ts";

/** Where Redis publishes invalidations for clients whose tracking is redirected (RESP2). */
const INVALIDATE_CHANNEL = "__redis__:invalidate";

/**
 * Redis server-assisted client-side caching for the Redis store: entries read from the server
 * are kept in memory and served again until the server says they changed.
 *
 * The data connection runs `CLIENT TRACKING ON REDIRECT <id>`: the server remembers which keys it
 * read and, when any client changes or deletes one (or it expires, or the database is flushed),
 * publishes the key on `__redis__:invalidate` to the second connection, `<id>`, subscribed to it;
 * the entry is then dropped. Everything kept is dropped whenever either connection closes or
 * reconnects (the server forgets the tracking with the connection), and nothing is kept again
 * until tracking is on for both connections as they are now.
 *
 * The orderings relied on, each guaranteed by Redis:
 * - A change's invalidation is queued on the subscriber connection while the changing command
 *   runs, before the changer gets its reply. A remembered entry is served only after a `PING` on
 *   the subscriber connection, sent after the lookup began, is answered: replies on one connection
 *   come in order, so every invalidation of a change acknowledged before the lookup has been
 *   handled by then. A change another client made and saw acknowledged is never missed by a
 *   later lookup.
 * - The server stops tracking when it closes the data connection (a `CLIENT KILL`, an idle
 *   `timeout`: hits served from memory leave it idle), and says so to no one; this process learns
 *   it only when it reads the connection's end. So a `PING` goes on the data connection too, in
 *   the same round trip: answered, the connection (and its tracking) was alive after the lookup
 *   began. Lookups waiting at once share one pair of `PING`s.
 * - An invalidation may reach this process before or after the reply of a read it concerns. An
 *   entry read is remembered only if no invalidation (nor reconnection) arrived while the read was
 *   out; one that arrives later removes it.
 * - An entry with a time to live (prod mode) is served no later than the server would keep it,
 *   counted from when the read was sent.
 */
export function createRedisTracking(data: RedisClient, subscriber: RedisClient) {
  const memo = createEntryMemo();
  /** Tracking is on for the connections as they are now. */
  let active = false;
  /** Changes when anything kept may have become stale: a read that spans a change is not kept. */
  let generation = 0;
  let dataSession = 0;
  let subscriberSession = 0;
  let subscriberId: unknown;
  let closed = false;
  /** Lookups waiting for the next `PING`, and whether one is out. */
  let waiting: { resolve: (ok: boolean) => void }[] = [];
  let pinging = false;

  function dropAll(): void {
    active = false;
    generation++;
    memo.clear();
  }

  async function enable(): Promise<void> {
    const [session, id] = [dataSession, subscriberId];
    if (closed || id === undefined || data.status !== "ready") return;
    try {
      await data.call("CLIENT", "TRACKING", "ON", "REDIRECT", id as string);
    } catch {
      // A server without tracking (before Redis 6) or an ACL that refuses it: entries are read from the server each time.
      return;
    }
    if (session === dataSession && id === subscriberId && !closed) active = true;
  }

  async function subscribe(): Promise<void> {
    const session = subscriberSession;
    try {
      const id = await subscriber.call("CLIENT", "ID");
      await subscriber.call("subscribe", INVALIDATE_CHANNEL);
      if (session !== subscriberSession || closed) return;
      subscriberId = id;
    } catch {
      return;
    }
    await enable();
  }

  function onDataReady(): void {
    dataSession++;
    dropAll();
    void enable();
  }

  function onSubscriberReady(): void {
    subscriberSession++;
    subscriberId = undefined;
    dropAll();
    void subscribe();
  }

  function onDataDown(): void {
    dataSession++;
    dropAll();
  }

  function onSubscriberDown(): void {
    subscriberSession++;
    subscriberId = undefined;
    dropAll();
  }

  data.on("ready", onDataReady);
  subscriber.on("ready", onSubscriberReady);
  for (const event of ["close", "reconnecting", "end"]) {
    data.on(event, onDataDown);
    subscriber.on(event, onSubscriberDown);
  }
  subscriber.on("messageBuffer", (channel: unknown, keys: unknown) => {
    if (String(channel) !== INVALIDATE_CHANNEL) return;
    generation++;
    // No keys: the whole database was flushed.
    if (!Array.isArray(keys)) return memo.clear();
    for (const key of keys) memo.delete(String(key));
  });
  if (subscriber.status === "ready") onSubscriberReady();
  else if (data.status === "ready") onDataReady();

  /** Resolves true once every invalidation sent before this call has been handled; false when that cannot be known. */
  function barrier(): Promise<boolean> {
    return new Promise((resolve) => {
      waiting.push({ resolve });
      if (!pinging) ping();
    });
  }

  function ping(): void {
    pinging = true;
    const batch = waiting;
    waiting = [];
    const sessions = [dataSession, subscriberSession];
    const settle = (ok: boolean) => {
      const same = ok && sessions[0] === dataSession && sessions[1] === subscriberSession;
      for (const { resolve } of batch) resolve(same);
      pinging = false;
      if (waiting.length > 0) ping();
    };
    Promise.all([subscriber.call("ping"), data.call("ping")]).then(
      () => settle(true),
      () => {
        dropAll();
        settle(false);
      },
    );
  }

  return {
    /** The entry kept under `name` (the server's key), once it is known to be current; undefined to read the server. */
    async lookup(name: string): Promise<CacheEntry | undefined> {
      if (!active || !memo.has(name)) return undefined;
      if (!(await barrier()) || !active) return undefined;
      return memo.get(name);
    },
    /** Call before sending a read; hand what it returns to {@link remember}. Undefined: nothing read now may be kept. */
    begin(): number | undefined {
      return active ? generation : undefined;
    },
    /** Keeps what a read begun at `token` found, unless something changed meanwhile; `ttlMs` (PTTL) counted from `sentAt`. */
    remember(token: number | undefined, name: string, entry: CacheEntry, sentAt: number, ttlMs: number): void {
      if (token === undefined || token !== generation || !active) return;
      if (ttlMs === -2) return;
      memo.set(name, entry, ttlMs >= 0 ? sentAt + ttlMs : Number.POSITIVE_INFINITY);
    },
    close(): void {
      closed = true;
      dropAll();
      data.removeListener("ready", onDataReady);
      for (const event of ["close", "reconnecting", "end"]) data.removeListener(event, onDataDown);
    },
  };
}

export type RedisTracking = ReturnType<typeof createRedisTracking>;
