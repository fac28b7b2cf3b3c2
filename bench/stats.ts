/** Percentile (0-100) of a list of numbers, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Format a number with a fixed number of decimals. */
export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Track the peak resident set size while a piece of work runs. */
export function trackPeakRss(): { stop(): number } {
  // memoryUsage.rss() reads the resident set alone; memoryUsage() also walks the V8 heap, which
  // every 20 ms took 7 % of the sandbox's CPU in the end-to-end run.
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** One section of BENCHMARKS.md. */
export interface BenchSection {
  title: string;
  /** Markdown body: tables and the plain statement of any missed target. */
  body: string;
}
