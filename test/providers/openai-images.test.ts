import { describe, expect, test } from "bun:test";
import { createReadStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI, { toFile, toStreamingFile } from "openai";
import { imageCostUsd } from "../../src/usage/image-pricing.ts";
import { useProviders } from "./wrapped.ts";

const { up, wrap } = useProviders();
const GENERATIONS = "openai.images.generations";
const EDITS = "openai.images.edits";

/** A PNG signature followed by bytes that differ per seed. */
function png(seed: string): Buffer<ArrayBuffer> {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(seed.padEnd(24, "."))]) as Buffer<ArrayBuffer>;
}

describe("OpenAI image generation through the real SDK", () => {
  test("b64_json: a repeated call makes no upstream request and the hit equals the live result", async () => {
    const eco = wrap(up.openai());
    const request = { model: "dall-e-3", prompt: "a red fox in snow", response_format: "b64_json" as const, size: "1024x1792" as const, quality: "hd" as const };
    const before = up.sim.count(GENERATIONS);
    const first = await eco.images.generate(request);
    const second = await eco.images.generate(request);
    expect(up.sim.count(GENERATIONS) - before).toBe(1);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(second.data![0]!.b64_json).toBeString();
    expect("_request_id" in second).toBe(true);
  });

  test("the end-user id cannot change the images and shares one entry", async () => {
    const eco = wrap(up.openai());
    const request = { model: "gpt-image-1", prompt: "a lighthouse at dawn" };
    const before = up.sim.count(GENERATIONS);
    const first = await eco.images.generate({ ...request, user: "user-a" });
    const second = await eco.images.generate({ ...request, user: "user-b" });
    expect(up.sim.count(GENERATIONS) - before).toBe(1);
    expect(second).toEqual(first);
  });

  test("GPT image models, which always answer in base64, are cached; URL answers never are", async () => {
    const eco = wrap(up.openai());
    const before = up.sim.count(GENERATIONS);
    await eco.images.generate({ model: "gpt-image-1", prompt: "a lighthouse", quality: "low" });
    await eco.images.generate({ model: "gpt-image-1", prompt: "a lighthouse", quality: "low" });
    expect(up.sim.count(GENERATIONS) - before).toBe(1);
    for (const request of [{ model: "dall-e-3", prompt: "a lighthouse", response_format: "url" as const }, { model: "dall-e-3", prompt: "a lighthouse" }]) {
      const start = up.sim.count(GENERATIONS);
      const first = await eco.images.generate(request);
      const second = await eco.images.generate(request);
      expect(first.data![0]!.url).toStartWith("https://");
      expect(second.data![0]!.url).toBe(first.data![0]!.url!);
      expect(up.sim.count(GENERATIONS) - start).toBe(2);
    }
  });

  test("an upstream error is the SDK's own error and is not cached", async () => {
    const eco = wrap(up.openai());
    const request = { model: "dall-e-3", prompt: "[sim:content-filter] forbidden", response_format: "b64_json" as const };
    for (let round = 0; round < 2; round++) {
      const failure = await eco.images.generate(request).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe("moderation_blocked");
    }
    up.sim.failNext(500, { route: GENERATIONS });
    const ok = { model: "dall-e-3", prompt: "fails once", response_format: "b64_json" as const };
    expect(await eco.images.generate(ok).catch((error: unknown) => error)).toBeInstanceOf(OpenAI.InternalServerError);
    const before = up.sim.count(GENERATIONS);
    await eco.images.generate(ok);
    await eco.images.generate(ok);
    expect(up.sim.count(GENERATIONS) - before).toBe(1);
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

  test("dall-e-2 edits are cached with b64_json only, and log image_output with per-image savings", async () => {
    const eco = wrap(up.openai());
    const image = () => new File([png("square")], "square.png", { type: "image/png" });
    const before = up.sim.count(EDITS);
    await eco.images.edit({ model: "dall-e-2", prompt: "a frame", image: image(), size: "512x512", response_format: "b64_json" });
    await eco.images.edit({ model: "dall-e-2", prompt: "a frame", image: image(), size: "512x512", response_format: "b64_json" });
    await eco.images.edit({ model: "dall-e-2", prompt: "a frame", image: image(), size: "512x512" });
    await eco.images.edit({ model: "dall-e-2", prompt: "a frame", image: image(), size: "512x512" });
    expect(up.sim.count(EDITS) - before).toBe(3);
    const records = await eco.history();
    expect(records.map((record) => record.cacheHit)).toEqual([false, false, true, false]);
    expect(records[2]).toMatchObject({ provider: "openai", model: "dall-e-2", promptType: "image_output", prompt: "a frame" });
    expect(records[2]!.costSavedUsd).toBeCloseTo(0.018, 12);
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

  test("an edit error is the SDK's own error and is not cached", async () => {
    const eco = wrap(up.openai());
    up.sim.failNext(429, { route: EDITS });
    const request = () => ({ model: "gpt-image-1", prompt: "rate limited", image: new File([png("r")], "r.png", { type: "image/png" }) });
    expect(await eco.images.edit(request()).catch((error: unknown) => error)).toBeInstanceOf(OpenAI.RateLimitError);
    const before = up.sim.count(EDITS);
    await eco.images.edit(request());
    await eco.images.edit(request());
    expect(up.sim.count(EDITS) - before).toBe(1);
  });
});

function writeTemp(name: string, bytes: Buffer): string {
  const path = join(up.dir, name);
  writeFileSync(path, bytes);
  return path;
}
