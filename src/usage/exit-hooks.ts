/**
 * Usage rows still in memory when the process stops are written first: on a normal exit, and on
 * the signals that stop servers and scripts (SIGTERM from docker, systemd and Kubernetes, SIGINT
 * from Ctrl-C, SIGHUP when the terminal goes away). Listening to a signal would otherwise change
 * what the process does on it, so ecoai's listener puts things back: when no one else listens,
 * it removes itself and raises the signal again, and the process ends as it would have without
 * ecoai (killed by that signal); an application that listens keeps control.
 *
 * @module
 */

/** A log the process still holds. */
export interface HeldLog {
  /** Writes pending rows, waiting a bounded time for a lock; the log stays open. */
  drain(): void;
  /** Writes pending rows and closes the file. */
  close(): void;
}

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
type StopSignal = (typeof SIGNALS)[number];

/**
 * Marks ecoai's listeners, across copies of the package (two versions in one app each install
 * their own): together they count as no listener at all, and only the last one re-raises.
 */
const MARK = Symbol.for("ecoai.stop-signal-listener");

const held = new Set<HeldLog>();
const listeners = new Map<StopSignal, NodeJS.SignalsListener>();

function onExit(): void {
  for (const log of [...held]) log.close();
}

function onSignal(signal: StopSignal, self: NodeJS.SignalsListener): void {
  for (const log of held) log.drain();
  const all = process.listeners(signal);
  const ours = (listener: unknown) => typeof listener === "function" && MARK in listener;
  // Another listener decides what happens (it may shut down gracefully, or not at all).
  if (!all.every(ours) || all[all.length - 1] !== self) return;
  for (const listener of all) process.removeListener(signal, listener);
  process.kill(process.pid, signal);
}

function install(): void {
  process.on("exit", onExit);
  for (const signal of SIGNALS) {
    const listener: NodeJS.SignalsListener = () => onSignal(signal, listener);
    Object.defineProperty(listener, MARK, { value: true });
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
}

function uninstall(): void {
  process.removeListener("exit", onExit);
  for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  listeners.clear();
}

/**
 * Writes what `log` holds when the process stops, until the returned function is called (when
 * the log closes). Listeners are installed while at least one log is held.
 */
export function holdUntilExit(log: HeldLog): () => void {
  if (held.size === 0) install();
  held.add(log);
  return () => {
    if (!held.delete(log)) return;
    if (held.size === 0) uninstall();
  };
}
