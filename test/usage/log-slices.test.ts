import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUsageLog } from "../../src/usage/log.ts";
import { recordingLogger } from "../harness.ts";
import { promptRecord, writtenPrompts } from "./sample-record.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "ecoai-log-slices-"));
  dirs.push(dir);
  return join(dir, "usage.db");
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("background writes of the usage log", () => {
  test("a batch is written in slices with turns of the event loop between them, every row once and in order", async () => {
    const path = logPath();
    // Slices of no length: one row each, whatever the machine's speed.
    const log = createUsageLog({ path, logger: recordingLogger(), maxPending: 50, writeSliceMs: 0 });
    const prompts = Array.from({ length: 60 }, (_, i) => `row ${i}`);
    for (const prompt of prompts) log.record(promptRecord(prompt, { miss: true }));
    // What other work sees at each turn: the rows written so far.
    const seen: number[] = [];
    for (let i = 0; i < 200 && seen.at(-1) !== prompts.length; i++) {
      await turn();
      seen.push(writtenPrompts(path).length);
    }
    expect(seen.at(-1)).toBe(prompts.length);
    // A single write of the whole batch would show nothing, then everything.
    const between = seen.filter((count) => count > 0 && count < prompts.length);
    expect(between.length).toBeGreaterThan(10);
    for (let i = 1; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBeLessThanOrEqual(2);
    expect(writtenPrompts(path)).toEqual(prompts);
    expect(log.close()).toBe(0);
  });

  test("flush() and close() in the middle of the slices write the rest at once, nothing twice", async () => {
    const path = logPath();
    const log = createUsageLog({ path, logger: recordingLogger(), maxPending: 20, writeSliceMs: 0 });
    const prompts = Array.from({ length: 40 }, (_, i) => `row ${i}`);
    for (const prompt of prompts) log.record(promptRecord(prompt, { miss: true }));
    for (let i = 0; i < 5; i++) await turn();
    const partial = writtenPrompts(path).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(prompts.length);
    expect(log.flush()).toBe(true);
    expect(writtenPrompts(path)).toEqual(prompts);

    const more = Array.from({ length: 40 }, (_, i) => `more ${i}`);
    for (const prompt of more) log.record(promptRecord(prompt, { miss: true }));
    await turn();
    await turn();
    expect(log.close()).toBe(0);
    for (let i = 0; i < 5; i++) await turn();
    expect(writtenPrompts(path)).toEqual([...prompts, ...more]);
  });

  test("a backlog past maxPending gets longer slices: it stays bounded while every turn adds rows", async () => {
    const path = logPath();
    // Slices of 10 µs write about a row a turn; ten rows arrive each turn. Fixed slices would let
    // the backlog grow until the 10 × maxPending (200) rows that force a write of all at once.
    const log = createUsageLog({ path, logger: recordingLogger(), maxPending: 20, writeSliceMs: 0.01 });
    let recorded = 0;
    let largestBacklog = 0;
    for (let t = 0; t < 60; t++) {
      for (let i = 0; i < 10; i++) log.record(promptRecord(`busy ${recorded++}`, { miss: true }));
      await turn();
      largestBacklog = Math.max(largestBacklog, recorded - writtenPrompts(path).length);
    }
    expect(largestBacklog).toBeLessThan(180);
    for (let i = 0; i < 200 && writtenPrompts(path).length < recorded; i++) await turn();
    expect(writtenPrompts(path)).toEqual(Array.from({ length: recorded }, (_, i) => `busy ${i}`));
    expect(log.close()).toBe(0);
  });
});
