import { tracingChannel } from "node:diagnostics_channel";

/** The commands ioredis traces on its command channel while `run` runs, lower-cased, a subscriber listening throughout. */
export async function tracedCommands(run: () => Promise<void>): Promise<string[]> {
  const commands: string[] = [];
  const channel = tracingChannel("ioredis:command");
  const handlers = {
    start: (context: unknown) => void commands.push(String((context as { command: string }).command).toLowerCase()),
    end: () => {},
    asyncStart: () => {},
    asyncEnd: () => {},
    error: () => {},
  };
  channel.subscribe(handlers);
  try {
    await run();
  } finally {
    channel.unsubscribe(handlers);
  }
  return commands;
}
