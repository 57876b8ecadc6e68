/**
 * Latency percentiles from histograms the dashboard keeps beside the log: a call's latency falls in
 * one of a fixed set of buckets, each 10% wider than the one below (from 10 µs to an hour), so
 * counts add up across days, models and namespaces, and a percentile read from them is within 5%
 * of the exact one, at any number of rows.
 * @module
 */

/** Lower bound of the first bucket, in milliseconds; faster calls share bucket 0. */
const FIRST_MS = 0.01;
/** Ratio between consecutive bucket bounds. */
const GROWTH = 1.1;
const BUCKETS = Math.ceil(Math.log(3_600_000 / FIRST_MS) / Math.log(GROWTH));

/** Lower bound (ms) of bucket `i`; bucket `i` holds latencies in [bound(i), bound(i + 1)). */
function bound(i: number): number {
  return i <= 0 ? 0 : FIRST_MS * GROWTH ** (i - 1);
}

/**
 * The SQL expression giving the bucket of `column`: a binary search written as nested CASEs (SQLite
 * has no logarithm on every build), about eight comparisons a row.
 */
export function latencyBucketSql(column = "latency_ms"): string {
  const tree = (low: number, high: number): string => {
    if (high - low <= 1) return String(low);
    const mid = (low + high) >> 1;
    return `CASE WHEN ${column} < ${bound(mid)} THEN ${tree(low, mid)} ELSE ${tree(mid, high)} END`;
  };
  return tree(0, BUCKETS + 1);
}

/** The bucket a latency falls in (as the SQL computes it). */
export function latencyBucket(ms: number): number {
  let low = 0;
  let high = BUCKETS + 1;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (ms < bound(mid)) high = mid;
    else low = mid;
  }
  return low;
}

/** Percentiles of one histogram, in ms; `null` when it has no calls. */
export interface LatencyStats {
  calls: number;
  p50: number | null;
  p95: number | null;
}

/** Calls per bucket, indexed by bucket. */
export type Histogram = Float64Array;

export function createHistogram(): Histogram {
  return new Float64Array(BUCKETS + 2);
}

/** The `p`-quantile (0–1) of a histogram, interpolated geometrically inside its bucket. */
export function percentile(histogram: Histogram, p: number): number | null {
  let total = 0;
  for (const calls of histogram) total += calls;
  if (total === 0) return null;
  const rank = p * total;
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    const calls = histogram[bucket]!;
    if (calls > 0 && seen + calls >= rank) {
      const low = bound(bucket);
      const high = bound(bucket + 1);
      const within = (rank - seen) / calls;
      return low === 0 ? high * within : low * (high / low) ** within;
    }
    seen += calls;
  }
  return bound(BUCKETS);
}

export function latencyStats(histogram: Histogram): LatencyStats {
  let calls = 0;
  for (const n of histogram) calls += n;
  return { calls, p50: percentile(histogram, 0.5), p95: percentile(histogram, 0.95) };
}

/**
 * A histogram as stored: (bucket, calls) pairs of 32-bit little-endian integers, buckets in
 * ascending order, empty buckets left out. A day of one model in one namespace fills a few dozen.
 */
export function encodeHistogram(histogram: Histogram): Uint8Array {
  const pairs: number[] = [];
  histogram.forEach((calls, bucket) => {
    if (calls > 0) pairs.push(bucket, calls);
  });
  const view = new DataView(new ArrayBuffer(pairs.length * 4));
  pairs.forEach((value, i) => view.setUint32(i * 4, value, true));
  return new Uint8Array(view.buffer);
}

/** Adds a stored histogram's counts into `into`. */
export function addHistogram(bytes: Uint8Array, into: Histogram): Histogram {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 8 <= bytes.byteLength; at += 8) {
    const bucket = view.getUint32(at, true);
    if (bucket < into.length) into[bucket]! += view.getUint32(at + 4, true);
  }
  return into;
}
