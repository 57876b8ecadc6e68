import { expect, test } from "bun:test";
import OpenAI from "openai";
import { GoogleGenAI } from "@google/genai";
import { ask, CHAT_ROUTE, TEST_API_KEY, useUpstream } from "../harness.ts";

const up = useUpstream();

/** Starts `first` (the leader), then an identical `second` that waits on it, and aborts the leader's caller. */
async function abortLeader<T>(first: (signal: AbortSignal) => Promise<T>, second: () => Promise<T>): Promise<[unknown, unknown]> {
  const controller = new AbortController();
  up.sim.delayMs = 60;
  try {
    const leader = first(controller.signal).catch((error: unknown) => error);
    await Bun.sleep(5);
    const follower = second().catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 20);
    return await Promise.all([leader, follower]);
  } finally {
    up.sim.delayMs = 0;
  }
}

test("OpenAI: a caller that aborts does not fail the identical call that waited on it", async () => {
  const eco = up.eco();
  const [leader, follower] = await abortLeader(
    (signal) => eco.chat.completions.create(ask("abort the leader"), { signal }),
    () => eco.chat.completions.create(ask("abort the leader")),
  );
  expect(leader).toBeInstanceOf(OpenAI.APIUserAbortError);
  expect((follower as OpenAI.ChatCompletion).choices[0]!.message.content).toContain("abort the leader");
  // The follower's own request answered it, and that answer is what the cache now serves.
  const before = up.sim.count(CHAT_ROUTE);
  expect((await eco.chat.completions.create(ask("abort the leader"))).id).toBe((follower as OpenAI.ChatCompletion).id);
  expect(up.sim.count(CHAT_ROUTE)).toBe(before);
});

test("@google/genai: the abort signal lives in config.abortSignal; the waiting call still gets its answer", async () => {
  const eco = up.wrap(new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } }));
  const request = { model: "gemini-2.5-flash", contents: "abort the leader" };
  const [leader, follower] = await abortLeader(
    (abortSignal) => eco.models.generateContent({ ...request, config: { abortSignal } }),
    () => eco.models.generateContent(request),
  );
  expect(leader).toBeInstanceOf(Error);
  expect((follower as { text?: string }).text).toContain("abort the leader");
});
