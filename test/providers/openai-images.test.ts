import { describe, expect, test } from "bun:test";
import { createReadStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI, { toFile, toStreamingFile } from "openai";
import type { ImageEditParamsNonStreaming, ImageGenerateParamsNonStreaming, ImagesResponse } from "openai/resources/images";
import { SIM_MARKERS } from "../../src/simulator/index.ts";
import { imageCostUsd } from "../../src/usage/image-pricing.ts";
import { OPENAI_SDK } from "./openai-sdk.ts";
import { FOREIGN_ANSWERS } from "./suite-answers.ts";
import { runProviderSuite, type Reading, type Surface } from "./suite.ts";
import { useProviders } from "./wrapped.ts";

const { up, wrap } = useProviders();
const GENERATIONS = "openai.images.generations";
const EDITS = "openai.images.edits";

/** A PNG signature followed by bytes that differ per seed. */
function png(seed: string): Buffer<ArrayBuffer> {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(seed.padEnd(24, "."))]) as Buffer<ArrayBuffer>;
}

/** What both image methods share: what a caller reads of an answer, what else never changes. */
const images = {
  ...OPENAI_SDK,
  model: "gpt-image-1",
  promptType: "image_output",
  read: (response: ImagesResponse): Reading => ({
    text: (response.data ?? []).map((image) => image.b64_json ?? image.url).join("\n"),
    toolCalls: [],
    finishReason: "",
    usage: {
      inputTokens: response.usage?.input_tokens ?? 0,
      cachedInputTokens: 0,
      outputTokens: response.usage?.output_tokens ?? 0,
      images: { count: response.data?.length ?? 0, size: response.size ?? "", quality: response.quality ?? "" },
    },
  }),
  foreign: FOREIGN_ANSWERS.chatCompletion,
  // The Images API reports no prompt-cache reads.
  promptCache: false,
  skip: [{ reason: "image prompts only ever match exactly: there is no semantic matching to turn off", tests: ["semanticOff"] }],
} satisfies Partial<Surface<OpenAI, never, ImagesResponse>>;

/** URLs expire after an hour, so an answer in URLs is returned and never stored. */
const givesUrls = (response: ImagesResponse) => response.data?.[0]?.url?.startsWith("https://") === true;
const givesBase64 = (response: ImagesResponse) => typeof response.data?.[0]?.b64_json === "string";

const generate: Surface<OpenAI, ImageGenerateParamsNonStreaming, ImagesResponse> = {
  ...images,
  name: "openai images.generate",
  route: GENERATIONS,
  request: (prompt) => ({ model: "gpt-image-1", prompt }),
  call: (client, request, ecoai) => client.images.generate(request, ecoai && { ecoai }),
  nonAnswers: [
    { name: "dall-e-3 answering in URLs (its default)", request: (prompt) => ({ model: "dall-e-3", prompt }), is: givesUrls },
    { name: "dall-e-3 asked for URLs", request: (prompt) => ({ model: "dall-e-3", prompt, response_format: "url" }), is: givesUrls },
  ],
  answers: [{ name: "dall-e-3 asked for base64", request: (prompt) => ({ model: "dall-e-3", prompt, response_format: "b64_json", size: "1024x1792", quality: "hd" }), is: givesBase64 }],
};

runProviderSuite(up, generate);

/** A new upload of the same image for every call: the SDK consumes what it sends. */
const upload = () => new File([png("source")], "source.png", { type: "image/png" });

const edit: Surface<OpenAI, ImageEditParamsNonStreaming, ImagesResponse> = {
  ...images,
  name: "openai images.edit",
  route: EDITS,
  request: (prompt) => ({ model: "gpt-image-1", prompt, image: upload() }),
  call: (client, request, ecoai) => client.images.edit(request, ecoai && { ecoai }),
  nonAnswers: [{ name: "dall-e-2 answering in URLs (its default)", request: (prompt) => ({ model: "dall-e-2", prompt, image: upload(), size: "512x512" }), is: givesUrls }],
  answers: [{ name: "dall-e-2 asked for base64", request: (prompt) => ({ model: "dall-e-2", prompt, image: upload(), size: "512x512", response_format: "b64_json" }), is: givesBase64 }],
};

runProviderSuite(up, edit);

describe("OpenAI image generation through the real SDK", () => {
  test("the end-user id cannot change the images and shares one entry", async () => {
    const eco = wrap(up.openai());
    const request = { model: "gpt-image-1", prompt: "a lighthouse at dawn" };
    const before = up.sim.count(GENERATIONS);
    const first = await eco.images.generate({ ...request, user: "user-a" });
    const second = await eco.images.generate({ ...request, user: "user-b" });
    expect(up.sim.count(GENERATIONS) - before).toBe(1);
    expect(second).toEqual(first);
  });

  test("a prompt the safety system rejects is the SDK's BadRequestError, every time", async () => {
    const eco = wrap(up.openai());
    const request = { model: "dall-e-3", prompt: `${SIM_MARKERS.contentFilter} forbidden`, response_format: "b64_json" as const };
    for (let round = 0; round < 2; round++) {
      const failure = await eco.images.generate(request).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe("moderation_blocked");
    }
  });

  test("usage records: prompt type image_output and per-image savings by model, size and quality", async () => {
    const eco = wrap(up.openai());
    await eco.images.generate({ model: "dall-e-3", prompt: "two cats", n: 2, size: "1792x1024", quality: "hd", response_format: "b64_json" });
    await eco.images.generate({ model: "dall-e-3", prompt: "two cats", n: 2, size: "1792x1024", quality: "hd", response_format: "b64_json" });
    const live = await eco.images.generate({ model: "gpt-image-1", prompt: "one dog", quality: "high", size: "1024x1536" });
    await eco.images.generate({ model: "gpt-image-1", prompt: "one dog", quality: "high", size: "1024x1536" });
    const [gptHit, gptMiss, dalleHit, dalleMiss] = await eco.history();
    for (const miss of [gptMiss, dalleMiss]) expect(miss).toMatchObject({ cacheHit: false, promptType: "image_output", costSavedUsd: 0 });
    expect(dalleHit).toMatchObject({ provider: "openai", model: "dall-e-3", cacheHit: true, promptType: "image_output", prompt: "two cats", tokensSaved: 0 });
    expect(dalleHit!.costSavedUsd).toBeCloseTo(2 * 0.12, 12);
    const usage = live.usage!;
    expect(gptHit).toMatchObject({ model: "gpt-image-1", cacheHit: true, promptType: "image_output", tokensSaved: usage.output_tokens });
    // Text input at $5 per million tokens plus one high-quality 1024x1536 image at $0.25.
    expect(gptHit!.costSavedUsd).toBeCloseTo((usage.input_tokens * 5) / 1e6 + 0.25, 12);
    expect(imageCostUsd("gpt-image-1", { count: 1, size: "auto", quality: "auto" })).toBe(0.011);
  });

  test("streamed generations are passed through", async () => {
    const eco = wrap(up.openai());
    const before = up.sim.count(GENERATIONS);
    const request = { model: "gpt-image-1", prompt: "a streamed image" };
    await eco.images.generate({ ...request, stream: true }).catch(() => undefined);
    await eco.images.generate({ ...request, stream: true }).catch(() => undefined);
    expect(up.sim.count(GENERATIONS) - before).toBe(2);
    expect(await eco.history()).toSatisfy((records) => records.every((record) => !record.cacheHit));
  });
});

describe("OpenAI image edits through the real SDK", () => {
  test("every form of the same bytes keys the same, and the simulator still receives the bytes", async () => {
    const eco = wrap(up.openai());
    const bytes = png("the same image");
    const path = join(up.dir, "source.png");
    writeFileSync(path, bytes);
    const forms: [string, () => Promise<unknown> | unknown][] = [
      ["toFile", () => toFile(bytes, "source.png", { type: "image/png" })],
      ["File", () => new File([bytes], "other-name.png", { type: "image/png" })],
      ["Blob", () => new Blob([bytes], { type: "image/png" })],
      ["Buffer", () => Buffer.from(bytes)],
      ["fs.ReadStream", () => createReadStream(path)],
      ["Response", () => new Response(bytes)],
      ["ReadableStream", () => new Response(bytes).body],
      ["toStreamingFile", () => toStreamingFile(createReadStream(path), "streamed.png", { type: "image/png" })],
    ];
    const before = up.sim.count(EDITS);
    let first: unknown;
    for (const [form, make] of forms) {
      const image = (await make()) as File;
      const result = await eco.images.edit({ model: "gpt-image-1", prompt: `add a hat (${forms[0]![0]})`, image });
      first ??= result;
      expect(result, form).toEqual(first as typeof result);
    }
    expect(up.sim.count(EDITS) - before).toBe(1);
    const received = up.sim.requests.filter((request) => request.route === EDITS).at(-1)!.files!;
    expect(received.map((file) => file.field)).toEqual(["image"]);
    expect(Buffer.compare(received[0]!.bytes, bytes)).toBe(0);

    // Each form sent upstream (bypassing the cache read) arrives with its bytes.
    for (const [form, make] of forms) {
      await eco.images.edit({ model: "gpt-image-1", prompt: `refresh ${form}`, image: (await make()) as File }, { ecoai: { refresh: true } });
      const files = up.sim.requests.at(-1)!.files!;
      expect(files.length, form).toBe(1);
      expect(Buffer.compare(files[0]!.bytes, bytes), form).toBe(0);
    }
  });

  test("different bytes, a mask or several images change the key; arrays and masks are uploaded", async () => {
    const eco = wrap(up.openai());
    const prompt = "make it blue";
    const before = up.sim.count(EDITS);
    const a = await eco.images.edit({ model: "gpt-image-1", prompt, image: new File([png("a")], "a.png", { type: "image/png" }) });
    const b = await eco.images.edit({ model: "gpt-image-1", prompt, image: new File([png("b")], "a.png", { type: "image/png" }) });
    const masked = await eco.images.edit({ model: "gpt-image-1", prompt, image: new File([png("a")], "a.png", { type: "image/png" }), mask: Buffer.from(png("mask")) as never });
    const two = await eco.images.edit({ model: "gpt-image-1", prompt, image: [new File([png("a")], "a.png", { type: "image/png" }), createReadStream(writeTemp("two.png", png("b")))] });
    expect(up.sim.count(EDITS) - before).toBe(4);
    expect(new Set([a, b, masked, two].map((result) => result.data![0]!.b64_json)).size).toBe(4);
    const last = up.sim.requests.at(-1)!.files!;
    expect(last.map((file) => file.field)).toEqual(["image[]", "image[]"]);
    expect(Buffer.compare(last[1]!.bytes, png("b"))).toBe(0);
    const maskedAgain = await eco.images.edit({ model: "gpt-image-1", prompt, image: await toFile(png("a"), "x.png"), mask: new Blob([png("mask")]) });
    expect(maskedAgain).toEqual(masked);
    expect(up.sim.count(EDITS) - before).toBe(4);
  });

  test("a dall-e-2 edit hit saves the price of its images", async () => {
    const eco = wrap(up.openai());
    const request = () => ({ model: "dall-e-2", prompt: "a frame", image: new File([png("square")], "square.png", { type: "image/png" }), size: "512x512" as const, response_format: "b64_json" as const });
    await eco.images.edit(request());
    await eco.images.edit(request());
    const [hit] = await eco.history();
    expect(hit).toMatchObject({ provider: "openai", model: "dall-e-2", cacheHit: true, promptType: "image_output", prompt: "a frame" });
    expect(hit!.costSavedUsd).toBeCloseTo(0.018, 12);
  });

  test("concurrent identical edits from separate streams make one upstream request", async () => {
    const eco = wrap(up.openai());
    const path = writeTemp("concurrent.png", png("concurrent"));
    up.sim.delayMs = 40;
    try {
      const before = up.sim.count(EDITS);
      const results = await Promise.all(Array.from({ length: 5 }, () => eco.images.edit({ model: "gpt-image-1", prompt: "together", image: createReadStream(path) })));
      expect(up.sim.count(EDITS) - before).toBe(1);
      for (const result of results) expect(result).toEqual(results[0]!);
      expect((await eco.history()).filter((record) => record.cacheHit)).toHaveLength(4);
    } finally {
      up.sim.delayMs = 0;
    }
  });

});

function writeTemp(name: string, bytes: Buffer): string {
  const path = join(up.dir, name);
  writeFileSync(path, bytes);
  return path;
}
