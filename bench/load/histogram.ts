// A fixed-resolution latency histogram: 10 µs buckets up to 1 s, cheap to record into and
// to merge across worker threads.

const RESOLUTION_MS = 0.01;
const BUCKETS = 100_000; // 1 s

export interface HistogramData {
  counts: number[];
  overflow: number[];
  max: number;
  total: number;
}

export class Histogram {
  private counts = new Uint32Array(BUCKETS);
  private overflow: number[] = [];
  max = 0;
  total = 0;

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    if (v > this.max) this.max = v;
    this.total++;
    const i = Math.floor(v / RESOLUTION_MS);
    if (i < BUCKETS) this.counts[i]!++;
    else this.overflow.push(v);
  }

  toData(): HistogramData {
    // Sparse: only non-empty buckets, as [index, count] pairs flattened.
    const counts: number[] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] !== 0) counts.push(i, this.counts[i]!);
    return { counts, overflow: this.overflow, max: this.max, total: this.total };
  }

  static merge(parts: HistogramData[]): Histogram {
    const h = new Histogram();
    for (const p of parts) {
      for (let j = 0; j < p.counts.length; j += 2) h.counts[p.counts[j]!]! += p.counts[j + 1]!;
      h.overflow.push(...p.overflow);
      h.max = Math.max(h.max, p.max);
      h.total += p.total;
    }
    return h;
  }

  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return (i + 1) * RESOLUTION_MS;
    }
    const sorted = [...this.overflow].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, rank - seen - 1)] ?? this.max;
  }
}

/** Percentiles of a small sample (registration and join times). */
export function samplePercentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
