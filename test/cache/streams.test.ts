import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { entryBody, readEntryBody } from "../../src/cache/stream-entry.ts";
import { EcoAI, EcoAIConfigError } from "../../src/index.ts";
import { ask, CHAT_ROUTE, settle, useUpstream } from "../harness.ts";

const up = useUpstream();

describe("stream entries", () => {
  test("an entry's first line is the plain response; the recording beside it keeps every event, multi-line data included", () => {
    const response = { id: "r", choices: [{ message: { content: "two\nlines" } }] };
    const recording = [
      { at: 1.234, data: '{"a":1}' },
      { at: 5, event: "message_stop", data: "line one\nline two" },
    ];
    const body = entryBody(response, recording);
    expect(JSON.parse(body.split("\n")[0]!)).toEqual(response);
    expect(readEntryBody(body)).toEqual({ response, recording: [{ at: 1.2, data: '{"a":1}' }, { at: 5, event: "message_stop", data: "line one\nline two" }] });
    expect(readEntryBody(entryBody(response))).toEqual({ response });
  });
});

describe("streams through the engine", () => {
  test("a stream that waits on an identical one gives up when its signal aborts, with the SDK's error; the one it waited on goes on and is stored", async () => {
    const eco = up.eco();
    up.sim.delayMs = 150;
    try {
      const leader = eco.chat.completions.create({ ...ask("wait then give up"), stream: true }).then((stream) => Array.fromAsync(stream));
      await Bun.sleep(20);
      const controller = new AbortController();
      const follower = settle(eco.chat.completions.create({ ...ask("wait then give up"), stream: true }, { signal: controller.signal }));
      await Bun.sleep(10);
      controller.abort();
      const outcome = await follower;
      expect("error" in outcome && outcome.error).toBeInstanceOf(OpenAI.APIUserAbortError);
      expect((await leader).length).toBeGreaterThan(2);
    } finally {
      up.sim.delayMs = 0;
    }
    const before = up.sim.count(CHAT_ROUTE);
    await Array.fromAsync(await eco.chat.completions.create({ ...ask("wait then give up"), stream: true }));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
  });

  test("a leader that leaves mid-stream does not end it for the callers following it: they get every event, and it is stored", async () => {
    const eco = up.eco();
    up.sim.chunkGapMs = 3;
    let followed: ChatCompletionChunk[] = [];
    try {
      const leader = await eco.chat.completions.create({ ...ask("leave early"), stream: true });
      const follower = eco.chat.completions.create({ ...ask("leave early"), stream: true }).then((stream) => Array.fromAsync(stream));
      let seen = 0;
      for await (const _chunk of leader) if (++seen === 2) break;
      followed = await follower;
    } finally {
      up.sim.chunkGapMs = 0;
    }
    expect(followed.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    const before = up.sim.count(CHAT_ROUTE);
    const replayed = await Array.fromAsync(await eco.chat.completions.create({ ...ask("leave early"), stream: true }));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
    expect(replayed).toEqual(followed);
  });

  test("stream-only options are answered on replay: include_obfuscation: false gets no padding, whatever the recording had", async () => {
    const eco = up.eco();
    const live = await Array.fromAsync(await eco.chat.completions.create({ ...ask("pad or not"), stream: true }));
    expect(live.some((chunk) => "obfuscation" in chunk)).toBe(true);
    const bare = await Array.fromAsync(await eco.chat.completions.create({ ...ask("pad or not"), stream: true, stream_options: { include_obfuscation: false } }));
    expect(bare.some((chunk) => "obfuscation" in chunk)).toBe(false);
    expect(bare.map((chunk) => chunk.choices[0]?.delta.content ?? "")).toEqual(live.map((chunk) => chunk.choices[0]?.delta.content ?? ""));
    const padded = await Array.fromAsync(await eco.chat.completions.create({ ...ask("pad or not"), stream: true }));
    expect(padded).toEqual(live);
  });

  test("a stream hit is logged once with the stored tokens, a miss once the stream has ended with its own", async () => {
    const eco = up.eco();
    // The miss's row is written when upstream has ended: events apart keep it arriving while the log is read.
    up.sim.chunkGapMs = 20;
    let stream;
    try {
      stream = await eco.chat.completions.create({ ...ask("log me once"), stream: true });
      expect(await eco.history()).toHaveLength(0);
    } finally {
      up.sim.chunkGapMs = 0;
    }
    await Array.fromAsync(stream);
    await Array.fromAsync(await eco.chat.completions.create({ ...ask("log me once"), stream: true }));
    const [hit, miss] = await eco.history();
    expect([hit!.cacheHit, miss!.cacheHit]).toEqual([true, false]);
    expect(hit!.outputTokens).toBe(miss!.outputTokens);
    expect(hit!.tokensSaved).toBe(miss!.outputTokens);
    expect(miss!.outputTokens).toBeGreaterThan(0);
    expect(await eco.history()).toHaveLength(2);
  });

  test("replay is validated as a constructor option, naming it", () => {
    let error: unknown;
    try {
      new EcoAI({ client: up.openai(), replay: "slowly" as never, storage: "memory", logUsage: false });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EcoAIConfigError);
    expect((error as EcoAIConfigError).option).toBe("replay");
    expect((error as EcoAIConfigError).message).toContain('"recorded"');
  });
});
