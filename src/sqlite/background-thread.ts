/**
 * Starts one of ecoai's worker threads (SQLite work that can wait, such as checkpoints) from
 * a module beside the caller, in the sources (.ts, run by Bun) and in the build (.js). The thread
 * is unref'd, so it never keeps a process alive, and its output is dropped: it has nothing to say
 * (its failures are silent or handed back), and Node 22 would repeat there the warning the main
 * thread already gave on loading node:sqlite. Where no worker can start (a bundle without the
 * module's file, a runtime without worker threads) it returns undefined, and the caller does the
 * work on its own thread, as before.
 *
 * The thread itself calls {@link quietThread} first: under Node 22, output a thread writes (its
 * warning on loading node:sqlite) keeps the thread's port to the main thread referenced, and a
 * process that used the thread would never exit on its own.
 *
 * @module
 */
import { Worker } from "node:worker_threads";

/**
 * Starts `./<name>.ts` (or `.js`) next to `base` (the caller's `import.meta.url`); `failed` is
 * called once if it stops (an uncaught error, the module missing): whatever it was doing is not done.
 */
export function startBackgroundThread(name: string, base: string, failed: () => void): Worker | undefined {
  try {
    const extension = base.endsWith(".ts") ? ".ts" : ".js";
    const worker = new Worker(new URL(`./${name}${extension}`, base), { stderr: true, stdout: true });
    worker.unref();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      failed();
    };
    worker.on("error", stop);
    worker.on("exit", stop);
    return worker;
  } catch {
    return undefined;
  }
}

/**
 * On the thread: its warnings are not emitted. Node 22 warns once per thread on loading
 * node:sqlite, which the main thread has already done, and the warning, written to an output the
 * main thread never reads, keeps the process alive after its work is done. Only this thread's
 * `process` is changed.
 */
export function quietThread(): void {
  process.emitWarning = () => {};
}
