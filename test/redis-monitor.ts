/**
 * What a Redis server runs, in the order it runs it, read from `MONITOR` on a plain socket. A
 * client library in monitor mode keeps a reply queue that falls out of step (ioredis throws
 * "Command queue state error") when it is disconnected while lines are still arriving; a socket
 * is simply destroyed.
 * @module
 */
import { once } from "node:events";
import { connect } from "node:net";

export interface RedisMonitor {
  /** Each command the server ran since monitoring began: its name and arguments, unquoted. */
  ran: string[][];
  stop(): void;
}

/** Starts monitoring the server at `url` (no password); resolves once the server has said OK. */
export async function monitorRedis(url: string): Promise<RedisMonitor> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, "connect");
  const ran: string[][] = [];
  let buffered = "";
  let started!: () => void;
  const ok = new Promise<void>((resolve) => (started = resolve));
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\r\n"); end >= 0; end = buffered.indexOf("\r\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (line === "+OK") started();
      else if (line.startsWith("+")) ran.push(commandOf(line));
    }
  });
  socket.write("MONITOR\r\n");
  await ok;
  return { ran, stop: () => socket.destroy() };
}

/** The quoted arguments of a monitor line (`+<time> [<db> <client>] "SET" "key" "value"`), with Redis's escapes undone. */
function commandOf(line: string): string[] {
  const unescape = (text: string) =>
    text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, escape: string) =>
      escape.length === 3 ? String.fromCharCode(Number.parseInt(escape.slice(1), 16)) : ({ n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b" } as Record<string, string>)[escape] ?? escape,
    );
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => unescape(match[1]!));
}
