import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { LONG_REPLY_TOKENS, SIM_HEADERS, SIM_MARKERS } from "../../src/simulator/index.ts";
import { drain, parseSse, useClients } from "./clients.ts";

const up = useClients();
const model = "gpt-4o-mini";
const ask = (content: string) => ({ model, messages: [{ role: "user" as const, content }] });

/** A raw streamed chat completion, read as the network delivers it. */
async function rawStream(content: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${up.sim.openaiBaseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-raw", ...headers },
    body: JSON.stringify({ ...ask(content), stream: true }),
  });
  const reads: string[] = [];
  const decoder = new TextDecoder();
  const started = performance.now();
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) reads.push(decoder.decode(read.value, { stream: true }));
  return { response, reads, elapsed: performance.now() - started, events: parseSse(reads.join("")) };
}

describe("stream length", () => {
  test("[sim:long] streams a ~300-token answer as many deltas of one to four tokens", async () => {
    const stream = await up.openai.chat.completions.create({ ...ask(`Tell me everything ${SIM_MARKERS.long}`), stream: true, stream_options: { include_usage: true } });
    const { items } = await drain(stream);
    const deltas = items.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? "")).filter((text) => text !== "");
    const usage = items.at(-1)!.usage!;
    expect(usage.completion_tokens).toBeGreaterThanOrEqual(LONG_REPLY_TOKENS);
    expect(deltas.length).toBeGreaterThanOrEqual(LONG_REPLY_TOKENS / 4);
    for (const delta of deltas) expect(delta.length).toBeLessThanOrEqual(16);
    const whole = await up.openai.chat.completions.create(ask(`Tell me everything ${SIM_MARKERS.long}`));
    expect(deltas.join("")).toBe(whole.choices[0]!.message.content!);
  });

  test("x-sim-reply-tokens asks for an answer of at least that many tokens", async () => {
    const short = await up.openai.chat.completions.create(ask("Hi"));
    const long = await up.openai.chat.completions.create(ask("Hi"), { headers: { [SIM_HEADERS.replyTokens]: "120" } });
    expect(short.usage!.completion_tokens).toBeLessThan(60);
    expect(long.usage!.completion_tokens).toBeGreaterThanOrEqual(120);
    expect(long.choices[0]!.message.content!.startsWith(short.choices[0]!.message.content!)).toBe(true);
  });
});

describe("pacing", () => {
  test("events leave one by one, chunkGapMs apart", async () => {
    up.sim.chunkGapMs = 15;
    const { reads, events, elapsed } = await rawStream("Pace me");
    expect(events.length).toBeGreaterThan(5);
    // Events are sent apart, so reads carry one each; a client slowed by a loaded machine may
    // now and then find two waiting, but a server that batched them would give far fewer reads.
    expect(reads.length).toBeGreaterThanOrEqual(Math.ceil(events.length * 0.75));
    // Timers may fire a millisecond early on a coarse clock.
    expect(elapsed).toBeGreaterThanOrEqual((events.length - 1) * 14);
  });

  test("x-sim-chunk-gap-ms sets the gap of one request", async () => {
    const { events, elapsed } = await rawStream("Pace me", { [SIM_HEADERS.chunkGapMs]: "12" });
    expect(elapsed).toBeGreaterThanOrEqual((events.length - 1) * 11);
  });
});

describe("faults", () => {
  test("x-sim-cut-after drops the connection after N events: the SDK sees N chunks, then a connection error", async () => {
    const stream = await up.openai.chat.completions.create({ ...ask("Cut me"), stream: true }, { headers: { [SIM_HEADERS.cutAfter]: "3" } });
    const { items, error } = await drain(stream);
    expect(items).toHaveLength(3);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    expect(up.sim.count("openai.chat.completions")).toBe(1);
  });

  test("x-sim-error-after sends the provider's error event after N events", async () => {
    const stream = await up.openai.chat.completions.create({ ...ask("Fail me"), stream: true }, { headers: { [SIM_HEADERS.errorAfter]: "4" } });
    const { items, error } = await drain(stream);
    expect(items).toHaveLength(4);
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  test("failNextStream breaks the next matching stream only, and reset drops pending faults", async () => {
    up.sim.failNextStream({ fault: "cut", afterChunks: 2, route: "openai.responses" });
    const untouched = await drain(await up.openai.chat.completions.create({ ...ask("Not this route"), stream: true }));
    expect(untouched.error).toBeUndefined();
    const cut = await drain(await up.openai.responses.create({ model, input: "This one", stream: true }));
    expect(cut.items).toHaveLength(2);
    expect(cut.error).toBeInstanceOf(Error);
    expect((await drain(await up.openai.responses.create({ model, input: "This one", stream: true }))).error).toBeUndefined();

    up.sim.failNextStream({ fault: "error", afterChunks: 1, times: 2 });
    for (let run = 0; run < 2; run++) {
      const failed = await drain(await up.openai.chat.completions.create({ ...ask("Twice"), stream: true }));
      expect(failed.items).toHaveLength(1);
      expect(failed.error).toBeInstanceOf(OpenAI.APIError);
    }
    up.sim.failNextStream();
    up.sim.reset();
    expect((await drain(await up.openai.chat.completions.create({ ...ask("Clean"), stream: true }))).error).toBeUndefined();
  });

  test("failNextStream refuses options it cannot honour, naming them", () => {
    expect(() => up.sim.failNextStream({ afterChunks: -1 })).toThrow("afterChunks must be an integer of 0 or more, got -1");
    expect(() => up.sim.failNextStream({ times: 0 })).toThrow("times must be an integer of 1 or more, got 0");
    expect(() => up.sim.failNextStream({ fault: "drop" as never })).toThrow('fault must be "cut" or "error", got "drop"');
  });

  test("a plain (non-streamed) answer is never broken by a stream fault", async () => {
    up.sim.failNextStream({ fault: "cut", afterChunks: 0 });
    const whole = await up.openai.chat.completions.create(ask("Plain"), { headers: { [SIM_HEADERS.cutAfter]: "0" } });
    expect(whole.choices[0]!.finish_reason).toBe("stop");
    expect((await drain(await up.openai.chat.completions.create({ ...ask("Now streamed"), stream: true }))).items).toHaveLength(0);
  });
});
