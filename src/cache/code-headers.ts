/**
 * The headers of vector codes lying at a fixed stride in a buffer (a listing's batch), read as
 * 32-bit words: in place where they are aligned, else each copied out first.
 *
 * @module
 */
import { CODE_ERROR, CODE_HEADER_BYTES, CODE_SCALE, CODE_SKETCH } from "./vector-code.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Word offsets of a code's header's parts (all four-byte aligned). */
export const SCALE_WORD = CODE_SCALE / 4;
export const ERROR_WORD = CODE_ERROR / 4;
export const SKETCH_WORD = CODE_SKETCH / 4;

/**
 * The headers of codes lying `stride` bytes apart in `codes`, read as 32-bit words: in place when
 * they are aligned (a listing's batch, mostly), else each copied out first. A DataView read is a
 * call into the runtime each, ten a vector: most of what placing 100,000 headers cost.
 */
export class CodeHeaders {
  words: Uint32Array;
  floats: Float32Array;
  private readonly view: DataView | undefined;

  constructor(codes: Uint8Array, stride: number) {
    if (LITTLE_ENDIAN && codes.byteOffset % 4 === 0 && stride % 4 === 0) {
      this.words = new Uint32Array(codes.buffer, codes.byteOffset, codes.byteLength >>> 2);
      this.view = undefined;
    } else {
      this.words = new Uint32Array(CODE_HEADER_BYTES / 4);
      this.view = new DataView(codes.buffer, codes.byteOffset, codes.byteLength);
    }
    this.floats = new Float32Array(this.words.buffer, this.words.byteOffset, this.words.length);
  }

  /** The word where the header of the code at byte `offset` starts in {@link CodeHeaders.words}. */
  wordAt(offset: number): number {
    const view = this.view;
    if (!view) return offset >>> 2;
    for (let w = 0; w < CODE_HEADER_BYTES / 4; w++) this.words[w] = view.getUint32(offset + w * 4, true);
    return 0;
  }
}
