import type { NewUsageRecord } from "./row.ts";

/**
 * Where the engine reports each call: the usage log, telemetry, or both. `record` is called on the
 * call's path, so a sink does its work later or in microseconds, and never throws for a fault of
 * its own (only a closed sink refuses a record).
 */
export interface UsageSink {
  record(record: NewUsageRecord): void;
  /** Writes or sends what is pending and lets go of files and connections. */
  close(): void | number;
}

/**
 * One sink that passes each record to every given sink, in order; `undefined` when none is given.
 * A sink that throws does not keep the record from the others; the first error is re-thrown.
 *
 * @example
 * const sink = composeUsageSinks(usageLog, telemetry);
 */
export function composeUsageSinks(...sinks: (UsageSink | undefined)[]): UsageSink | undefined {
  const present = sinks.filter((sink): sink is UsageSink => sink !== undefined);
  if (present.length <= 1) return present[0];
  const each = (work: (sink: UsageSink) => void) => {
    let failure: { error: unknown } | undefined;
    for (const sink of present) {
      try {
        work(sink);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };
  return {
    record: (record) => each((sink) => sink.record(record)),
    close: () => each((sink) => void sink.close()),
  };
}
