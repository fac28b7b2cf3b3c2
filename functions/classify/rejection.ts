import type { Rejection } from '#shared/classify.ts';
import { capText, ECHO_LIMIT } from '#shared/text/display.ts';

/**
 * How many issues a rejection records. A rejection's reason and issues quote the event's own
 * values ("… is not an access key id"); an event can be up to 256 KB, and a DynamoDB item at
 * most 400 KB, so quoted values are capped and so is their number: the audit record of a
 * rejection always fits, and every rejected event is recorded.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
const MAX_ISSUES = 20;
/** EventBridge event ids are UUIDs; anything longer is cut (a partition key is at most 2048 bytes). */
const EVENT_ID_LIMIT = 128;
/**
 * Above this, the dead-letter message carries the start of the event rather than all of it: a
 * queue takes at most 256 KiB per message by default (`MaximumMessageSize`).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
const DEAD_LETTER_LIMIT = 200 * 1024;

/** How long a whole reason or issue may be once its quoted values are capped. */
const LINE_LIMIT = 4 * ECHO_LIMIT;

/**
 * A rejection's sentence with each value it quotes capped: a `"quoted"` value or an unbroken
 * run of characters longer than {@link ECHO_LIMIT} keeps its start (see {@link capText}), so the
 * sentence still ends saying what is wrong with it; then the whole is capped as a backstop.
 */
function capEchoes(text: string): string {
  const long = new RegExp(`"[^"]{${ECHO_LIMIT + 1},}"|[^\\s"]{${ECHO_LIMIT + 1},}`, 'g');
  const capped = text.replace(long, (value) =>
    value.startsWith('"') ? `"${capText(value.slice(1, -1))}"` : capText(value),
  );
  return capText(capped, LINE_LIMIT);
}

/** A rejection's event id, reason and issues, each echoed value capped (see {@link capText}). */
export function cappedRejection(
  eventId: string,
  rejection: Pick<Rejection, 'reason' | 'issues'>,
): { eventId: string; reason: string; issues: string[] } {
  const issues = rejection.issues.slice(0, MAX_ISSUES).map(capEchoes);
  const more = rejection.issues.length - issues.length;
  return {
    eventId: capText(eventId, EVENT_ID_LIMIT),
    reason: capEchoes(rejection.reason),
    issues: more > 0 ? [...issues, `… and ${more} more issue(s)`] : issues,
  };
}

/** The dead-letter message: why, and the event as received (its start, if it is very large). */
export function deadLetterBody(reason: string, issues: readonly string[], event: unknown): string {
  const whole = JSON.stringify({ reason, issues, event });
  if (Buffer.byteLength(whole) <= DEAD_LETTER_LIMIT) return whole;
  const text = JSON.stringify(event) ?? '';
  return JSON.stringify({
    reason,
    issues,
    // A quarter of the limit in characters: at most three UTF-8 bytes each, so well within it.
    eventTruncated: text.slice(0, DEAD_LETTER_LIMIT / 4),
    eventLength: text.length,
  });
}
