import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { KeySlots } from "../../src/cache/key-slots.ts";

const digest = (n: number) => createHash("sha256").update(`key ${n}`).digest("hex");

test("finds every key in its slot through inserts, deletions, moves and growth, as a Map would", () => {
  const slots = new KeySlots();
  const reference = new Map<string, number>();
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let nextSlot = 0;
  for (let step = 0; step < 30_000; step++) {
    const roll = random();
    // Digest keys mostly; now and then a key of another form, kept as a string.
    const key = roll < 0.05 ? `plain-${Math.floor(random() * 500)}` : digest(Math.floor(random() * 8_000));
    if (reference.has(key)) {
      if (random() < 0.5) {
        slots.delete(key);
        reference.delete(key);
      } else {
        const to = nextSlot++;
        slots.move(reference.get(key)!, to);
        reference.set(key, to);
      }
    } else {
      const slot = nextSlot++;
      slots.set(key, slot);
      reference.set(key, slot);
    }
  }
  expect(reference.size).toBeGreaterThan(2_000);
  for (const [key, slot] of reference) {
    expect(slots.get(key)).toBe(slot);
    expect(slots.keyAt(slot)).toBe(key);
  }
  for (let n = 8_000; n < 8_200; n++) expect(slots.get(digest(n))).toBeUndefined();
  expect(slots.get("plain-missing")).toBeUndefined();
  // Upper-case hex is another key than its lower-case form, and is found as itself.
  const upper = digest(1).toUpperCase();
  slots.set(upper, nextSlot);
  expect(slots.get(upper)).toBe(nextSlot);
  expect(slots.keyAt(nextSlot)).toBe(upper);
});

test("a digest key costs its 32 bytes and a few bytes of table", () => {
  const slots = new KeySlots();
  for (let n = 0; n < 100_000; n++) slots.set(digest(n), n);
  expect(slots.bytes / 100_000).toBeLessThan(32 + 12);
  expect(slots.get(digest(99_999))).toBe(99_999);
});

test("a key claimed from its digest's bytes is the key claimed as a string, and 64 characters that are not lower-case hex are other keys", () => {
  const slots = new KeySlots();
  for (let n = 0; n < 5_000; n++) expect(slots.claimDigest(Buffer.from(`ff${digest(n)}`, "hex"), 1, n)).toBe(n);
  for (let n = 0; n < 5_000; n++) expect(slots.claim(digest(n), 9_999)).toBe(n);
  expect(slots.keyAt(1_234)).toBe(digest(1_234));
  const bytes = Buffer.from(digest(1), "hex");
  expect(slots.claimDigest(bytes, 0, 9_999)).toBe(1);
  // The same characters but one, whose code differs from a digit's by 256, or is not a hex digit.
  const near = [digest(2).slice(0, 10) + String.fromCharCode(digest(2).charCodeAt(10) + 256) + digest(2).slice(11), `${digest(3).slice(0, 63)}g`];
  near.forEach((key, i) => expect(slots.claim(key, 6_000 + i)).toBe(6_000 + i));
  near.forEach((key, i) => expect(slots.get(key)).toBe(6_000 + i));
  expect(slots.get(digest(2))).toBe(2);
  expect(slots.get(digest(3))).toBe(3);
});
