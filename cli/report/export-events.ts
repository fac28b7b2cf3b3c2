import type { StoredRecord } from '#shared/audit/reader.ts';

/** What the trail gives back as replayable events, and what it cannot. */
export interface ExportedEvents {
  /** The original EventBridge events, oldest first, each once (an event of several findings too). */
  readonly events: readonly unknown[];
  /** Findings whose first record kept no event (older trails, or an event over the size cap). */
  readonly withoutEvent: readonly string[];
}

/**
 * The original events of the trail's findings, as the classifier kept them on each finding's
 * first record (shared/audit/record.ts `event`). They are replayable with `aws events put-events`
 * or `remediate policy diff --events`; their text is the sender's, returned untouched.
 */
export function originalEvents(records: readonly StoredRecord[]): ExportedEvents {
  const seen = new Set<string>();
  const events: unknown[] = [];
  const withEvent = new Set<string>();
  const findings = new Set<string>();
  for (const r of records) {
    if (!r.pk.startsWith('FINDING#')) continue;
    findings.add(r.pk);
    if (!r.event) continue;
    withEvent.add(r.pk);
    if (seen.has(r.event)) continue;
    seen.add(r.event);
    events.push(JSON.parse(r.event));
  }
  return {
    events,
    withoutEvent: [...findings].filter((pk) => !withEvent.has(pk)).map((pk) => pk.replace(/^FINDING#/, '')),
  };
}
