// Small statistics helpers: medians and percentiles of plain number arrays.

/** Median of a list of numbers (mean of the two middle values for an even count); NaN when empty. */
export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Percentile p (0..100) by linear interpolation between closest ranks (the "R-7" definition that
 * numpy and spreadsheets use). `sorted` must be sorted ascending.
 */
export function percentileSorted(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Percentiles of an unsorted array (copied, then sorted numerically). */
export function percentiles(values, ps) {
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => percentileSorted(sorted, p));
}

export function min(values) {
  return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
}

export function max(values) {
  return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
}

/** (max - min) / median: how far apart the rounds were, as a fraction. */
export function spread(values) {
  const m = median(values);
  return m ? (max(values) - min(values)) / m : Number.NaN;
}
