import type { AuditRecord } from '#shared/audit/record.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { displayText } from '#shared/text/display.ts';
import { stoppedStep, stopSummary } from './stop-summary.ts';

/** A record as the report reads it: the schema's fields, and the chain position when stored. */
export type ReportRecord = AuditRecord & { seq?: number };

/** How the approval gate of a playbook run ended. */
export type ApprovalEnd = 'approved' | 'denied' | 'timed-out' | 'pending';

/** Where and why a run stopped for a human. */
export interface NeedsHumanStop {
  /** The state that failed, as the playbook's catch recorded it; else `after <last action recorded>`. */
  readonly step: string;
  /** The error in a few words (`AccessDenied on iam:PutUserPolicy`), shown safe and capped. */
  readonly error: string;
}

/** One finding's trail, read as the report needs it. */
export interface FindingHistory {
  readonly pk: string;
  readonly findingId?: string;
  /** The policy rule that decided (from the classifier's reason), if any. */
  readonly rule?: string;
  readonly playbook?: string;
  /** The classifier's verdict: routed, notified, skipped, exempt, duplicate, rejected. */
  readonly classified: string;
  readonly mode?: string;
  readonly account?: string;
  /** The region whose trail holds it, when the report read several (each region's stack keeps its own). */
  readonly region?: string;
  /** The `byResource` key without its prefix: `<account>#<kind>#<id>`. */
  readonly resource?: string;
  /** Milliseconds since the epoch. */
  readonly arrivedAt: number;
  /** The finding's own first-seen time, from the event kept in its first record. */
  readonly firstSeenAt?: number;
  readonly containedAt?: number;
  readonly approval?: {
    readonly requestedAt: number;
    readonly end: ApprovalEnd;
    readonly endedAt?: number;
    readonly escalated: boolean;
  };
  readonly needsHuman?: NeedsHumanStop;
  readonly undone: boolean;
  /** A record says the blast-radius limit was reached (auto became approve). */
  readonly blastRadiusHit: boolean;
}

/** `rule <id>` as the policy evaluator writes it into the reason (shared/policy/evaluate.ts). */
const RULE_IN_REASON = /(?:^|[;:] |\s)rule ([A-Za-z0-9][\w.-]*)/;
/** The reason both blast-radius checks give (functions/classify/blast-radius.ts, shared/policy/evaluate.ts). */
const BLAST_RADIUS_REACHED = /blast radius: .*(?:limit of \d+ .* is reached|reached the limit)/;
const CLASSIFIER = 'classify';
const UNDO_ACTOR = 'playbook/undo';

/** The findings of a trail, each from its records (any order; grouped by partition, ordered by chain). */
export function findingHistories(records: readonly ReportRecord[]): FindingHistory[] {
  const byPk = new Map<string, ReportRecord[]>();
  for (const r of records) byPk.set(r.pk, [...(byPk.get(r.pk) ?? []), r]);
  return [...byPk.values()].map((rs) =>
    historyOf(rs.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || a.at.localeCompare(b.at))),
  );
}

function historyOf(records: readonly ReportRecord[]): FindingHistory {
  const first = records[0] as ReportRecord;
  const classified = records.find((r) => r.actor === CLASSIFIER) ?? first;
  const ruleRecord = records.find((r) => r.actor === CLASSIFIER && RULE_IN_REASON.test(r.reason ?? ''));
  const playbookRecord = records.find((r) => r.playbook && r.actor !== UNDO_ACTOR);
  const contained = records.find((r) => r.outcome === 'contained' && r.actor !== UNDO_ACTOR);
  const [account, kind, ...id] = first.resourceKey.replace(/^RESOURCE#/, '').split('#');
  return {
    pk: first.pk,
    ...(first.findingId && { findingId: first.findingId }),
    ...(ruleRecord && { rule: RULE_IN_REASON.exec(ruleRecord.reason ?? '')?.[1] }),
    ...(playbookRecord?.playbook && { playbook: playbookRecord.playbook }),
    classified: classified.outcome,
    ...(classified.mode && { mode: classified.mode }),
    ...(account && account !== 'unknown' && { account, resource: [account, kind, ...id].join('#') }),
    arrivedAt: Date.parse(first.at),
    ...optional('firstSeenAt', firstSeenOf(records, first.findingId)),
    ...optional('containedAt', contained && Date.parse(contained.at)),
    ...optional('approval', approvalOf(records)),
    ...optional('needsHuman', needsHumanOf(records)),
    undone: records.some((r) => r.outcome === 'undone'),
    blastRadiusHit: records.some((r) => BLAST_RADIUS_REACHED.test(r.reason ?? '')),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

/** The finding's first-seen time, from the original event the classifier kept (absent in older trails). */
function firstSeenOf(records: readonly ReportRecord[], findingId: string | undefined): number | undefined {
  const kept = records.find((r) => r.event)?.event;
  if (!kept) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(kept);
  } catch {
    return undefined;
  }
  const normalized = normalizeEvent(event);
  if (!normalized.ok) return undefined;
  const finding = normalized.findings.find((f) => f.id === findingId) ?? normalized.findings[0];
  const at = finding ? Date.parse(finding.firstSeen) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}

/**
 * The playbook's approval gate (an undo's own gate is not the rule's): the first request, and
 * what ended it. A timeout is the end unless a person decided within the escalation's wait.
 */
function approvalOf(records: readonly ReportRecord[]): FindingHistory['approval'] {
  const start = records.findIndex((r) => r.outcome === 'approval-required' && r.actor !== UNDO_ACTOR);
  if (start < 0) return undefined;
  const requestedAt = Date.parse((records[start] as ReportRecord).at);
  const gate: ReportRecord[] = [];
  // The gate's records run until the next request (an undo's gate) or the end of the trail.
  for (const r of records.slice(start + 1)) {
    if (r.outcome === 'approval-required' || r.actor === UNDO_ACTOR) break;
    gate.push(r);
  }
  const escalated = gate.some((r) => r.outcome === 'escalated');
  const decided = gate.find((r) => r.outcome === 'approved' || r.outcome === 'denied');
  if (decided) {
    return { requestedAt, end: decided.outcome as ApprovalEnd, endedAt: Date.parse(decided.at), escalated };
  }
  const timedOut = gate.filter((r) => r.outcome === 'timed-out' || r.outcome === 'defaulted').at(-1);
  if (timedOut) return { requestedAt, end: 'timed-out', endedAt: Date.parse(timedOut.at), escalated };
  return { requestedAt, end: 'pending', escalated };
}

/**
 * The step where a run stopped for a human, and the error it recorded: the state and the call the
 * playbook's catch names in the record (`Attach deny policy`, `AccessDenied on iam:PutUserPolicy`).
 * A path entered without a catch (a Map's, a poll that gave up) names no state: then the step after
 * the last one recorded is what is known.
 */
function needsHumanOf(records: readonly ReportRecord[]): NeedsHumanStop | undefined {
  const at = records.findIndex((r) => r.outcome === 'needs-human');
  if (at < 0) return undefined;
  const stop = records[at] as ReportRecord;
  const error = stopSummary(stop.details) ?? (stop.reason ? displayText(stop.reason, 160) : '');
  const previous = records
    .slice(0, at)
    .filter((r) => r.actor === stop.actor)
    .at(-1)?.action;
  return { step: stoppedStep(stop.details) ?? (previous ? `after ${previous}` : stop.action), error };
}
