/** Small statistics and formatting helpers shared by the benchmark sections. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Elapsed milliseconds since a `process.hrtime.bigint()` reading. */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

export const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');

export function formatOps(opsPerSecond: number): string {
  if (!Number.isFinite(opsPerSecond)) return 'n/a';
  return opsPerSecond >= 10_000 ? `${(opsPerSecond / 1000).toFixed(1)} k/s` : `${formatCount(opsPerSecond)} /s`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export const formatRatio = (ratio: number, digits = 2): string => (Number.isFinite(ratio) ? `${ratio.toFixed(digits)}×` : 'n/a');

/** Kilobytes as 1000 bytes, the unit of the 25 KB goal. */
export const formatKb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
