import { afterAll } from "bun:test";
import Redis from "ioredis";
import { createRedisStore, type RedisStoreOptions } from "../../src/stores/redis.ts";
import type { Store } from "../../src/stores/store.ts";
import { startRedisServer, useRedisServer, type RedisServer } from "../redis-server.ts";

/**
 * Redis stores and plain ioredis clients for one test file, on the file's own `redis-server`
 * (see useRedisServer), all closed after the file's tests. A store is under a prefix of its own
 * (so it starts empty) unless given one; `name` starts every prefix made here.
 */
export function useRedisStores(name: string) {
  const redis = useRedisServer();
  const opened: Store[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    for (const client of clients) client.disconnect();
  });
  const freshPrefix = () => `${name}-${Math.random().toString(36).slice(2)}:`;
  return {
    redis,
    /** A prefix no store has used yet. */
    freshPrefix,
    /** A store on the file's server; `options` over a fresh prefix and the server's URL. */
    store(options: Partial<RedisStoreOptions> = {}): Store {
      const created = createRedisStore({ url: redis.server.url, prefix: freshPrefix(), ...options });
      opened.push(created);
      return created;
    },
    /** A plain ioredis client, to look at the server's keys and counters. */
    client(url = redis.server.url): Redis {
      const client = new Redis(url);
      clients.push(client);
      return client;
    },
    /**
     * Runs `run` with a `redis-server` of its own (one a test may pause, kill or restart), then
     * closes the stores and clients opened meanwhile and stops that server.
     */
    async onOwnServer(run: (server: RedisServer) => Promise<void>, options?: Parameters<typeof startRedisServer>[0]): Promise<void> {
      const server = await startRedisServer(options);
      const [storesBefore, clientsBefore] = [opened.length, clients.length];
      try {
        await run(server);
      } finally {
        await Promise.all(opened.slice(storesBefore).map((store) => store.close()));
        for (const client of clients.slice(clientsBefore)) client.disconnect();
        await server.stop();
      }
    },
  };
}
