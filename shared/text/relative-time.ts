/**
 * Times as a tired reader takes them in: "12 min ago", "in 59 min". Pages and messages show the
 * exact UTC time next to it, so nothing is lost by rounding.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration in the largest unit that keeps it readable: `45 s`, `12 min`, `3 h 5 min`, `4 days`. */
export function durationText(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return `${Math.round(abs / 1000)} s`;
  if (abs < HOUR) return `${Math.round(abs / MINUTE)} min`;
  if (abs < DAY) {
    const hours = Math.floor(abs / HOUR);
    const minutes = Math.round((abs - hours * HOUR) / MINUTE);
    return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  const days = Math.round(abs / DAY);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/**
 * `iso` relative to `now`: `12 min ago`, `in 59 min`, `just now`; undefined when `iso` is not a
 * time (a finding's time is outside text and may be anything).
 */
export function relativeTime(iso: string, now: Date): string | undefined {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return undefined;
  const delta = at - now.getTime();
  if (Math.abs(delta) < 30_000) return 'just now';
  return delta > 0 ? `in ${durationText(delta)}` : `${durationText(delta)} ago`;
}

/** The exact time in UTC, to the minute, as people read it: `2025-03-01 14:05 UTC`. */
export function utcText(iso: string): string | undefined {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return undefined;
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
