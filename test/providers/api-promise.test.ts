import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { useProviders } from "./wrapped.ts";

const { up, wrap, anthropic } = useProviders();

/** One cached method of a Stainless SDK, called through EcoAI, with what the simulator sends. */
interface Case {
  name: string;
  route: string;
  /** The header the simulator sets on every answer, and the one the SDK reads the request id from. */
  header: string;
  requestIdHeader: string;
  sdkError: Function;
  create(eco: unknown, content: string, options?: Record<string, unknown>): ReturnType<OpenAI["chat"]["completions"]["create"]> | ReturnType<Anthropic["messages"]["create"]>;
  stream(eco: unknown, content: string): Promise<{ data: AsyncIterable<unknown>; response: Response; request_id: string | null | undefined }>;
  client(): OpenAI | Anthropic;
}

const cases: Case[] = [
  {
    name: "OpenAI chat completions",
    route: "openai.chat.completions",
    header: "openai-organization",
    requestIdHeader: "x-request-id",
    sdkError: OpenAI.InternalServerError,
    client: () => up.openai(),
    create: (eco, content, options) => (eco as OpenAI).chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content }] }, options),
    stream: (eco, content) => (eco as OpenAI).chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content }], stream: true }).withResponse(),
  },
  {
    name: "Anthropic messages",
    route: "anthropic.messages",
    header: "anthropic-organization-id",
    requestIdHeader: "request-id",
    sdkError: Anthropic.InternalServerError,
    client: () => anthropic(),
    create: (eco, content, options) => (eco as Anthropic).messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content }] }, options),
    stream: (eco, content) => (eco as Anthropic).messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content }], stream: true }).withResponse(),
  },
];

describe.each(cases)("$name: withResponse() and asResponse() as in the SDK", (sdk) => {
  test("a miss gives the provider's response and request id; a hit a marked response of the stored JSON", async () => {
    const eco = wrap(sdk.client());
    const before = up.sim.count(sdk.route);
    const miss = await sdk.create(eco, "with response please").withResponse();
    expect(miss.response.status).toBe(200);
    expect(miss.response.headers.get(sdk.header)).toBe("sim-org");
    expect(miss.response.headers.get("x-ecoai-cache")).toBeNull();
    expect(miss.request_id).toMatch(/^req_/);
    expect(miss.request_id).toBe(miss.response.headers.get(sdk.requestIdHeader));
    expect(miss.request_id).toBe((miss.data as { _request_id?: string })._request_id!);

    const hit = await sdk.create(eco, "with response please").withResponse();
    expect(up.sim.count(sdk.route) - before).toBe(1);
    expect(hit.request_id).toBeNull();
    expect(hit.response.status).toBe(200);
    expect(hit.response.headers.get("x-ecoai-cache")).toBe("hit");
    expect(hit.response.headers.get("content-type")).toBe("application/json");
    expect(hit.data).toEqual(miss.data);
    expect(await hit.response.json()).toEqual(JSON.parse(JSON.stringify(miss.data)));

    const awaited = await sdk.create(eco, "with response please");
    expect(awaited).toEqual(hit.data);
    const raw = await sdk.create(eco, "with response please").asResponse();
    expect(raw.headers.get("x-ecoai-cache")).toBe("hit");
    expect(await raw.json()).toEqual(JSON.parse(JSON.stringify(miss.data)));
    expect(up.sim.count(sdk.route) - before).toBe(1);
  });

  test("the same promise gives the data awaited and with its response; asResponse() on a miss keeps status and headers", async () => {
    const eco = wrap(sdk.client());
    const pending = sdk.create(eco, "awaited and with response");
    const data = await pending;
    const withResponse = await pending.withResponse();
    expect(withResponse.data).toBe(data);
    expect(withResponse.request_id).toMatch(/^req_/);

    const raw = await sdk.create(eco, "as response on a miss", { ecoai: { refresh: true } }).asResponse();
    expect(raw.status).toBe(200);
    expect(raw.headers.get(sdk.header)).toBe("sim-org");
    const stored = await sdk.create(eco, "as response on a miss");
    expect(await raw.json()).toEqual(JSON.parse(JSON.stringify(stored)));
  });

  test("identical calls in flight: the leader gets the provider's response, the waiter a hit response", async () => {
    const eco = wrap(sdk.client());
    const before = up.sim.count(sdk.route);
    const [first, second] = await Promise.all([sdk.create(eco, "coalesced response").withResponse(), sdk.create(eco, "coalesced response").withResponse()]);
    expect(up.sim.count(sdk.route) - before).toBe(1);
    const [leader, waiter] = first.request_id === null ? [second, first] : [first, second];
    expect(leader.request_id).toMatch(/^req_/);
    expect(waiter.request_id).toBeNull();
    expect(waiter.response.headers.get("x-ecoai-cache")).toBe("hit");
    expect(waiter.data).toEqual(leader.data);
  });

  test("bypass returns the SDK's own promise: the provider's response, every time", async () => {
    const eco = wrap(sdk.client());
    await sdk.create(eco, "bypassed response");
    const bypassed = await sdk.create(eco, "bypassed response", { ecoai: { bypass: true } }).withResponse();
    expect(bypassed.request_id).toMatch(/^req_/);
    expect(bypassed.response.headers.get("x-ecoai-cache")).toBeNull();
    const history = await eco.history();
    expect(history).toHaveLength(2);
  });

  test("a stream's withResponse() is the SDK's: the provider's response on a miss, a marked event stream on a hit", async () => {
    const eco = wrap(sdk.client());
    const before = up.sim.count(sdk.route);
    const counts: number[] = [];
    for (let round = 0; round < 2; round++) {
      const { data, response, request_id } = await sdk.stream(eco, "stream with response");
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      expect(response.headers.get("x-ecoai-cache")).toBe(round === 0 ? null : "hit");
      if (round === 0) expect(request_id).toMatch(/^req_/);
      expect(request_id).toBe(response.headers.get(sdk.requestIdHeader));
      let events = 0;
      for await (const event of data) if (event) events++;
      counts.push(events);
    }
    expect(counts[0]).toBeGreaterThan(1);
    expect(counts[1]).toBe(counts[0]!);
    expect(up.sim.count(sdk.route) - before).toBe(1);
  });

  test("an upstream error rejects with the SDK's own error through withResponse() and asResponse()", async () => {
    const eco = wrap(sdk.client());
    up.sim.failNext(500, { route: sdk.route });
    const viaWithResponse = await sdk
      .create(eco, "fails with response")
      .withResponse()
      .catch((error: unknown) => error);
    expect(viaWithResponse).toBeInstanceOf(sdk.sdkError);
    up.sim.failNext(500, { route: sdk.route });
    const viaAsResponse = await sdk
      .create(eco, "fails as response")
      .asResponse()
      .catch((error: unknown) => error);
    expect(viaAsResponse).toBeInstanceOf(sdk.sdkError);
    const badOption = await sdk
      .create(eco, "bad option", { ecoai: { ttl: -1 } })
      .withResponse()
      .catch((error: unknown) => error);
    expect((badOption as Error).name).toBe("EcoAIConfigError");
  });
});
