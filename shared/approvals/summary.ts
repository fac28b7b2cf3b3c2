import type { Finding } from '#shared/findings/finding.ts';
import { displayText } from '#shared/text/display.ts';
import { relativeTime, utcText } from '#shared/text/relative-time.ts';
import { describeResource } from './describe.ts';
import { type Risk, riskLines } from './risk.ts';

/**
 * What an approver reads first, in plain text, the same on the approval page and in the
 * notification: the question, why it is asked, what approving puts at risk, and until when.
 * Every part quoting the finding is untrusted text, shown through {@link displayText} and capped.
 */

/** The question: the playbook's own words, else the playbook and the resource. */
export function approvalQuestion(title: string | undefined, playbook: string, finding: Finding): string {
  return displayText(title ?? `Approve ${playbook} on ${describeResource(finding.resource)}?`, 300);
}

/** The finding's own title, else its type (some sources send an empty title). */
export function findingTitle(finding: Finding): string {
  return finding.title.trim() ? finding.title : finding.type;
}

/** A time as `12 min ago (2025-03-01 14:05 UTC)`; a value that is not a time is named as such. */
export function timeText(iso: string, now: Date): string {
  const relative = relativeTime(iso, now);
  const exact = utcText(iso);
  return relative && exact ? `${relative} (${exact})` : `${displayText(iso, 64)} (not a valid time)`;
}

/** Why it is asked: severity, the finding's title and type, when first seen, and the policy's reason. */
export function approvalWhy(finding: Finding, why: string | undefined, now: Date): string {
  const severity = `${finding.severity.label} (${finding.severity.score})`;
  const policy = why ? ` Policy: ${displayText(why, 300)}.` : '';
  return `${severity} · ${displayText(findingTitle(finding), 200)} (${displayText(finding.type, 120)}), first seen ${timeText(finding.firstSeen, now)}.${policy}`;
}

/** What approving puts at risk, as the playbook read it; else what is known without it. */
export function approvalRisk(risk: Risk | undefined, finding: Finding, now: Date): string[] {
  const lines = risk
    ? riskLines(risk, now)
    : [`No usage information was read for ${describeResource(finding.resource)}.`];
  return lines.map((line) => displayText(line, 400));
}

/** The deadline and what follows it: escalation first, then the policy's `onTimeout`. */
export function approvalDeadline(
  expiresAt: string,
  escalated: boolean,
  onTimeout: 'proceed' | 'abandon',
  now: Date,
): string {
  const timeout =
    onTimeout === 'proceed'
      ? 'the playbook proceeds without approval'
      : 'the playbook is abandoned and changes nothing';
  return `${timeText(expiresAt, now)}; then ${escalated ? timeout : 'it is escalated'}.`;
}
