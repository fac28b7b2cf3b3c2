import type * as z from 'zod/mini';
import '#shared/validation-messages.ts';
// The error class by name: `z.core` at runtime would pull every core module into the bundle.
import { $ZodError } from 'zod/v4/core';
import { InvalidFindingError, NotActionableEventError } from '#shared/errors.ts';
import { CloudTrailEventSchema, isCloudTrailEvent, normalizeCloudTrailEvent } from './cloudtrail.ts';
import {
  ConfigComplianceEventSchema,
  isConfigComplianceEvent,
  normalizeConfigComplianceEvent,
} from './config.ts';
import { type Finding, FindingSchema } from './finding.ts';
import {
  GUARDDUTY_DETAIL_TYPE,
  GUARDDUTY_SOURCE,
  GuardDutyEventSchema,
  isGuardDutyEvent,
  looksLikeBareGuardDutyFinding,
  normalizeGuardDutyEvent,
} from './guardduty.ts';
import {
  isMalwareScanEvent,
  MalwareScanEventSchema,
  normalizeMalwareScanEvent,
} from './guardduty-malware-scan.ts';
import { isSecurityHubEvent, normalizeSecurityHubEvent, SecurityHubEventSchema } from './securityhub.ts';

/** The outcome of normalizing one EventBridge event. */
export type NormalizeResult =
  | { ok: true; findings: Finding[] } // usually one; Security Hub may carry several
  // error.message is the one-line human reason, error.issues the field-level list. A
  // NotActionableEventError is a valid event with nothing to act on (a failed call, a closed
  // finding): recorded as skipped. An InvalidFindingError is malformed or unsupported input.
  | { ok: false; error: InvalidFindingError | NotActionableEventError };

/** One finding source: which events it takes, their schema, and how they become findings. */
interface SourceAdapter {
  name: string;
  accepts(source: string, detailType: string): boolean;
  normalize(event: unknown): Finding[];
}

function adapter<T>(
  name: string,
  accepts: (source: string, detailType: string) => boolean,
  schema: z.ZodMiniType<T>,
  normalize: (event: T) => Finding[],
): SourceAdapter {
  return { name, accepts, normalize: (event) => normalize(schema.parse(event)) };
}

/** Adding a finding source is one file and one line here. */
const SOURCES: readonly SourceAdapter[] = [
  adapter('GuardDuty Finding', isGuardDutyEvent, GuardDutyEventSchema, normalizeGuardDutyEvent),
  adapter(
    'GuardDuty Malware Protection Object Scan Result',
    isMalwareScanEvent,
    MalwareScanEventSchema,
    normalizeMalwareScanEvent,
  ),
  adapter('CloudTrail', isCloudTrailEvent, CloudTrailEventSchema, normalizeCloudTrailEvent),
  adapter(
    'Config Rules Compliance Change',
    isConfigComplianceEvent,
    ConfigComplianceEventSchema,
    normalizeConfigComplianceEvent,
  ),
  adapter(
    'Security Hub Findings - Imported',
    isSecurityHubEvent,
    SecurityHubEventSchema,
    normalizeSecurityHubEvent,
  ),
];

/**
 * Turn one EventBridge event into the findings it carries, or say in one line why it cannot be
 * acted on. Dispatches on `source` + `detail-type`; never throws, so a malformed event ends in
 * a recorded rejection rather than in EventBridge retrying the classifier.
 */
export function normalizeEvent(event: unknown): NormalizeResult {
  try {
    const findings = normalizeOrThrow(event);
    return { ok: true, findings };
  } catch (error) {
    if (error instanceof InvalidFindingError || error instanceof NotActionableEventError)
      return { ok: false, error };
    // A defect in a normalizer must still end in a definite, recorded outcome for this event.
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: new InvalidFindingError(`could not normalize the event: ${message}`, [], { cause: error }),
    };
  }
}

function normalizeOrThrow(event: unknown): Finding[] {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new InvalidFindingError(`not an EventBridge event: expected a JSON object, got ${describe(event)}`);
  const envelope = event as Record<string, unknown>;
  const source = envelope['source'];
  const detailType = envelope['detail-type'];
  if (typeof source !== 'string' || typeof detailType !== 'string') {
    if (looksLikeBareGuardDutyFinding(envelope)) throw bareGuardDutyFinding();
    throw new InvalidFindingError(
      'not an EventBridge event: "source" and "detail-type" must both be strings',
      [
        ...(typeof source === 'string' ? [] : ['source: missing']),
        ...(typeof detailType === 'string' ? [] : ['detail-type: missing']),
      ],
    );
  }
  const handler = SOURCES.find((candidate) => candidate.accepts(source, detailType));
  if (!handler)
    throw new InvalidFindingError(`unsupported event: source ${source} detail-type ${detailType}`);
  let findings: Finding[];
  try {
    findings = handler.normalize(event);
  } catch (error) {
    if (error instanceof $ZodError) throw invalidEvent(handler.name, error);
    throw error;
  }
  return findings.map((finding) => checkFinding(handler.name, finding));
}

/** The normalizers build findings by hand; the shared schema is the last word on their shape. */
function checkFinding(name: string, finding: Finding): Finding {
  const checked = FindingSchema.safeParse(finding);
  if (checked.success) return checked.data;
  const issues = formatIssues(checked.error);
  throw new InvalidFindingError(
    `${name} event ${finding.id} does not yield a valid finding: ${issues[0]}`,
    issues,
  );
}

function invalidEvent(name: string, error: $ZodError): InvalidFindingError {
  const issues = formatIssues(error);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new InvalidFindingError(`invalid ${name} event: ${issues[0]}${more}`, issues, { cause: error });
}

function bareGuardDutyFinding(): InvalidFindingError {
  return new InvalidFindingError(
    'a bare GuardDuty finding (the "detail" of an event) without the EventBridge envelope: wrap it as ' +
      `{ "source": "${GUARDDUTY_SOURCE}", "detail-type": "${GUARDDUTY_DETAIL_TYPE}", "account": ..., "region": ..., "detail": <the finding> }`,
    ['source: missing', 'detail-type: missing', 'detail: missing (the finding is at the top level)'],
  );
}

/** `detail.findings[0].Id: missing`, one line per offending field. */
function formatIssues(error: $ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
      .join('');
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return `${path || '(event)'}: ${missing ? 'missing' : issue.message}`;
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}
