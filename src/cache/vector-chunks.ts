/**
 * How a semantic scope lays its vectors out in memory (see scope-vectors.ts): fixed-size chunks
 * of flat typed arrays, one field of every vector per array, and the flags of a slot.
 *
 * @module
 */
/** Vectors a chunk holds once full: about 1.6 MB at 1,536 dimensions, so growth never copies much nor leaves much unused. */
export const CHUNK_SHIFT = 10;
export const CHUNK = 1 << CHUNK_SHIFT;
/** A scope's first chunk starts this small and doubles up to a full chunk: most scopes hold few vectors. */
export const FIRST_CAPACITY = 16;

/** Up to {@link CHUNK} vectors' fields, an array each. */
export interface Chunk {
  capacity: number;
  /**
   * The vectors' bytes, `capacity × dims`; empty until a vector's bytes are placed in the chunk:
   * a first load that reads headers only does not wait for 150 MB of zeroed memory a 100,000
   * vectors (the background fill that reads the bytes allocates it).
   */
  values: Int8Array;
  /** First and second halves of the sketches, four words a vector each. */
  head: Uint32Array;
  tail: Uint32Array;
  scale: Float32Array;
  error: Float32Array;
  /** When each vector's entry was written (ms since the epoch), so stale entries are passed over in the scan. */
  written: Float64Array;
  /**
   * 0 for a free or dropped slot; else {@link LIVE}, or {@link LIVE_UNIT} for a vector of length 1,
   * with {@link PENDING} while its bytes are not read yet.
   */
  live: Uint8Array;
}

export const LIVE = 1;
export const LIVE_UNIT = 2;
/** Only the header (scale, error, sketch) is held: a scan passes such a vector on for exact scoring. */
export const PENDING = 4;
/** The bytes of a chunk none of whose vectors' bytes are read yet. */
export const NO_VALUES = new Int8Array(0);
