/**
 * Which slot of a scope's vectors holds which cache key, in a few dozen bytes a key. Cache keys
 * are SHA-256 hex digests: they are kept as their 32 bytes in flat blocks and found through an
 * open-addressing table of slot numbers. A million keys as JavaScript strings in a Map would cost
 * about as much again as the vectors' codes; any other key (tests, hand-made stores) is kept as a
 * string.
 *
 * @module
 */

/** Bytes of a key that is a SHA-256 hex digest (as cache keys are), kept as the bytes its digits stand for. */
export const DIGEST_BYTES = 32;
/** Digests are kept in blocks of this many slots (128 KB), the first growing to it from a few: no large copy, little slack. */
const BLOCK_SHIFT = 12;
const BLOCK = 1 << BLOCK_SHIFT;
/** The table of slot numbers grows past this share of places in use. */
const MAX_LOAD = 0.75;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Each character code's value as a lowercase hex digit, -1 for any other: a third of what comparisons by range cost. */
const NIBBLES = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 16; digit++) NIBBLES[digit.toString(16).charCodeAt(0)] = digit;

/** The 32 bytes of a lowercase 64-character hex key into `out`, or false when `key` is not one. */
function parseDigest(key: string, out: Uint8Array): boolean {
  if (key.length !== DIGEST_BYTES * 2) return false;
  for (let i = 0; i < DIGEST_BYTES; i++) {
    const a = key.charCodeAt(i * 2);
    const b = key.charCodeAt(i * 2 + 1);
    if ((a | b) > 255) return false;
    const high = NIBBLES[a]!;
    const low = NIBBLES[b]!;
    if ((high | low) < 0) return false;
    out[i] = (high << 4) | low;
  }
  return true;
}

export class KeySlots {
  /** The digest of the key in each slot, 32 bytes a slot, in blocks. */
  private blocks: Uint8Array[] = [];
  /** Open addressing: slot + 1 of a digest key, 0 for an empty place; linear probing. */
  private table = new Int32Array(16);
  private stored = 0;
  /** Keys that are not digests, both ways. */
  private others = new Map<string, number>();
  private otherAt = new Map<number, string>();
  private readonly scratch = new Uint8Array(DIGEST_BYTES);

  /** The slot holding `key`, or undefined. */
  get(key: string): number | undefined {
    if (!parseDigest(key, this.scratch)) return this.others.get(key);
    const place = this.find(this.scratch, 0);
    return place < 0 ? undefined : this.table[place]! - 1;
  }

  /** Records `key` (not held yet) in `slot`. */
  set(key: string, slot: number): void {
    this.claim(key, slot);
  }

  /** The slot holding `key`; when none does, records it in `slot` (a free one) and returns that. One parse of the key for both. */
  claim(key: string, slot: number): number {
    if (!parseDigest(key, this.scratch)) {
      const held = this.others.get(key);
      if (held !== undefined) return held;
      this.others.set(key, slot);
      this.otherAt.set(slot, key);
      return slot;
    }
    return this.claimDigest(this.scratch, 0, slot);
  }

  /**
   * {@link KeySlots.claim} for the key whose digest is the 32 bytes at `offset` of `digests` (a
   * store's listing may give keys so): no string made, nor parsed.
   */
  claimDigest(digests: Uint8Array, offset: number, slot: number): number {
    const place = this.find(digests, offset);
    if (place >= 0) return this.table[place]! - 1;
    this.reserveSlot(slot);
    const block = this.blocks[slot >>> BLOCK_SHIFT]!;
    for (let i = 0, at = (slot & (BLOCK - 1)) * DIGEST_BYTES; i < DIGEST_BYTES; i++) block[at + i] = digests[offset + i]!;
    if (this.stored + 1 > this.table.length * MAX_LOAD) this.rehash(this.table.length * 2);
    this.insert(slot);
    return slot;
  }

  /** Room in the table for `keys` keys in all without growing it again. */
  reserve(keys: number): void {
    if (keys > this.table.length * MAX_LOAD) this.rehash(nextPowerOfTwo(Math.ceil(keys / MAX_LOAD) + 1));
  }

  /** Forgets `key`. */
  delete(key: string): void {
    if (!parseDigest(key, this.scratch)) {
      const slot = this.others.get(key);
      this.others.delete(key);
      if (slot !== undefined) this.otherAt.delete(slot);
      return;
    }
    const place = this.find(this.scratch, 0);
    if (place >= 0) this.remove(place);
  }

  /** The key in `slot` (which must hold one). */
  keyAt(slot: number): string {
    const other = this.otherAt.get(slot);
    if (other !== undefined) return other;
    const block = this.blocks[slot >>> BLOCK_SHIFT]!;
    let key = "";
    for (let i = (slot & (BLOCK - 1)) * DIGEST_BYTES, end = i + DIGEST_BYTES; i < end; i++) key += HEX[block[i]!];
    return key;
  }

  /** Moves the key of slot `from` (which must hold one) to the free slot `to`. */
  move(from: number, to: number): void {
    const key = this.keyAt(from);
    this.delete(key);
    this.set(key, to);
  }

  /** Keeps room for slots below `slots` only, after the highest slots have been freed. */
  shrink(slots: number): void {
    this.blocks.length = Math.ceil(slots / BLOCK);
    if (this.stored * 8 < this.table.length && this.table.length > 16) this.rehash(Math.max(16, nextPowerOfTwo(this.stored * 2)));
  }

  /** Bytes held. */
  get bytes(): number {
    let total = this.table.byteLength;
    for (const block of this.blocks) total += block.byteLength;
    return total;
  }

  private hashOf(digest: Uint8Array, offset: number): number {
    // A SHA-256 digest is uniform already: its first four bytes are a hash.
    return (digest[offset]! | (digest[offset + 1]! << 8) | (digest[offset + 2]! << 16) | (digest[offset + 3]! << 24)) & (this.table.length - 1);
  }

  private slotHash(slot: number): number {
    return this.hashOf(this.blocks[slot >>> BLOCK_SHIFT]!, (slot & (BLOCK - 1)) * DIGEST_BYTES);
  }

  /** The place in the table of the digest at `offset` of `digest`, or -1. */
  private find(digest: Uint8Array, offset: number): number {
    const mask = this.table.length - 1;
    for (let place = this.hashOf(digest, offset); ; place = (place + 1) & mask) {
      const entry = this.table[place]!;
      if (entry === 0) return -1;
      if (this.holds(entry - 1, digest, offset)) return place;
    }
  }

  private holds(slot: number, digest: Uint8Array, offset: number): boolean {
    const block = this.blocks[slot >>> BLOCK_SHIFT]!;
    const base = (slot & (BLOCK - 1)) * DIGEST_BYTES;
    for (let i = 0; i < DIGEST_BYTES; i++) if (block[base + i] !== digest[offset + i]) return false;
    return true;
  }

  private insert(slot: number): void {
    const mask = this.table.length - 1;
    let place = this.slotHash(slot);
    while (this.table[place] !== 0) place = (place + 1) & mask;
    this.table[place] = slot + 1;
    this.stored++;
  }

  /** Empties `place` and shifts back the entries after it that probed past it (no tombstones). */
  private remove(place: number): void {
    const mask = this.table.length - 1;
    this.table[place] = 0;
    this.stored--;
    for (let next = (place + 1) & mask; this.table[next] !== 0; next = (next + 1) & mask) {
      const home = this.slotHash(this.table[next]! - 1);
      // The entry at `next` may fill the hole when its home does not lie in (place, next].
      const between = place <= next ? home > place && home <= next : home > place || home <= next;
      if (between) continue;
      this.table[place] = this.table[next]!;
      this.table[next] = 0;
      place = next;
    }
  }

  private rehash(size: number): void {
    const old = this.table;
    this.table = new Int32Array(size);
    this.stored = 0;
    // An indexed loop: a typed array's iterator costs several times as much before it is compiled (a first load rehashes 100,000 keys).
    for (let place = 0; place < old.length; place++) if (old[place] !== 0) this.insert(old[place]! - 1);
  }

  private reserveSlot(slot: number): void {
    const index = slot >>> BLOCK_SHIFT;
    while (this.blocks.length <= index) this.blocks.push(new Uint8Array((this.blocks.length === 0 ? 16 : BLOCK) * DIGEST_BYTES));
    const block = this.blocks[index]!;
    const needed = ((slot & (BLOCK - 1)) + 1) * DIGEST_BYTES;
    if (needed <= block.length) return;
    const grown = new Uint8Array(Math.min(BLOCK * DIGEST_BYTES, Math.max(needed, block.length * 2)));
    grown.set(block);
    this.blocks[index] = grown;
  }
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}
