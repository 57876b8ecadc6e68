/**
 * The floor of a Redis hit in the benches: one `GET` round trip to the same server, through
 * ioredis and on a bare socket (the command written, the whole reply awaited, nothing parsed).
 *
 * @module
 */
import { connect } from "node:net";
import { Redis } from "ioredis";

export interface RoundTrips {
  /** One `GET key` through ioredis (its reply as a string). */
  ioredis(): Promise<unknown>;
  /** One `GET key` on a bare socket, resolved once the reply's last byte is in. */
  socket(): Promise<void>;
  close(): void;
}

/** Stores `value` under `key` and opens the two clients that read it back. */
export async function redisRoundTrips(url: string, key: string, value: string): Promise<RoundTrips> {
  const client = new Redis(url);
  await client.set(key, value);
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.setNoDelay(true);
  const wire = `*2\r\n$3\r\nGET\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n`;
  // `$<n>\r\n<value>\r\n`
  const replyBytes = `$${Buffer.byteLength(value)}\r\n`.length + Buffer.byteLength(value) + 2;
  let received = 0;
  let answered: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received < replyBytes) return;
    received = 0;
    const done = answered;
    answered = undefined;
    done?.();
  });
  return {
    ioredis: () => client.get(key),
    socket: () =>
      new Promise<void>((resolve) => {
        answered = resolve;
        socket.write(wire);
      }),
    close() {
      client.disconnect();
      socket.destroy();
    },
  };
}
