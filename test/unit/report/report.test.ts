import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/audit/record.ts';
import { PolicySchema } from '#shared/policy/schema.ts';
import { parseYamlWithSchema } from '#shared/policy/yaml-source.ts';
import { findingHistories } from '#shared/report/finding-history.ts';
import { percentile, trailReport } from '#shared/report/metrics.ts';
import { suggestPolicyChanges } from '#shared/report/suggestions.ts';

const T0 = Date.parse('2025-03-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const rec = (
  pk: string,
  seq: number,
  minutes: number,
  r: Partial<AuditRecord>,
): AuditRecord & { seq: number } => ({
  pk: `FINDING#${pk}`,
  sk: `${at(minutes)}#${r.action ?? 'x'}`,
  resourceKey: `RESOURCE#111122223333#AccessKey#u/${pk}`,
  at: at(minutes),
  actor: 'playbook/disable-access-key',
  action: 'step',
  outcome: 'succeeded',
  findingId: pk,
  seq,
  ...r,
});
const classified = (pk: string, minutes: number, rule: string, mode: string) =>
  rec(pk, 1, minutes, {
    actor: 'classify',
    action: 'classify',
    outcome: 'routed',
    playbook: 'disable-access-key',
    mode,
    reason: `rule ${rule}: words`,
  });

/** An approve-mode finding approved after `wait` minutes and contained a minute later. */
function approved(pk: string, wait: number) {
  return [
    classified(pk, 0, 'anomalies', 'approve'),
    rec(pk, 2, 0, { action: 'RequestApproval', outcome: 'approval-required' }),
    rec(pk, 3, wait, {
      actor: 'arn:aws:iam::111122223333:user/oncall-a',
      action: 'DecideApproval',
      outcome: 'approved',
    }),
    rec(pk, 4, wait + 1, { action: 'Complete', outcome: 'contained' }),
  ];
}

describe('the report over audit records', () => {
  it('takes the nearest-rank percentile, always one of the values', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('counts approvals, waits, denials, undos and needs-human stops per rule', () => {
    const records = [
      ...approved('a1', 10),
      ...approved('a2', 20),
      ...approved('a3', 30),
      classified('d1', 0, 'anomalies', 'approve'),
      rec('d1', 2, 1, { action: 'RequestApproval', outcome: 'approval-required' }),
      rec('d1', 3, 2, { action: 'ApprovalTimeout', outcome: 'timed-out' }),
      rec('d1', 4, 3, { action: 'EscalateApproval', outcome: 'escalated' }),
      rec('d1', 5, 41, { actor: 'arn:x', action: 'DecideApproval', outcome: 'denied' }),
      classified('n1', 0, 'leaks', 'auto'),
      rec('n1', 2, 1, { action: 'UpdateAccessKey' }),
      rec('n1', 3, 2, {
        action: 'NeedsHuman',
        outcome: 'needs-human',
        details: '{"Error":"Iam.IamException","Cause":"AccessDenied"}',
      }),
      rec('a1', 5, 60, { actor: 'playbook/undo', action: 'Undo', outcome: 'undone' }),
      rec('s1', 1, 0, {
        actor: 'classify',
        action: 'classify',
        outcome: 'skipped',
        reason: 'no rule matches',
      }),
    ];

    const report = trailReport(findingHistories(records), new Date(T0), new Date(T0 + 3_600_000));

    expect(report.totals).toMatchObject({
      received: 6,
      routed: 5,
      contained: 3,
      skipped: 1,
      needsHuman: 1,
      undone: 1,
    });
    const anomalies = report.byRule.find((g) => g.key === 'anomalies');
    expect(anomalies?.approvals).toMatchObject({
      requested: 4,
      approved: 3,
      denied: 1,
      timedOut: 0,
      escalated: 1,
    });
    // Waits 10, 20, 30 and 40 minutes: p50 20, p90 40.
    expect(anomalies?.approvals.wait).toEqual({ count: 4, p50: 1_200_000, p90: 2_400_000 });
    expect(anomalies?.mttrFromArrival).toEqual({ count: 3, p50: 21 * 60_000, p90: 31 * 60_000 });
    expect(report.byPlaybook[0]?.needsHumanStops).toEqual([
      {
        step: 'after UpdateAccessKey',
        error: 'AccessDenied',
        count: 1,
        accounts: ['111122223333'],
      },
    ]);
  });

  it('suggests auto only past the threshold, with its numbers and the rule’s mode line', () => {
    const policyText = readFileSync('policy/default.yaml', 'utf8');
    const { value, source } = parseYamlWithSchema(policyText, 'policy/default.yaml', PolicySchema);
    const rule = 'guardduty-iam-user-anomalies';
    const many = Array.from({ length: 10 }, (_, i) =>
      approved(`p${i}`, 14).map((r) => (r.actor === 'classify' ? { ...r, reason: `rule ${rule}: x` } : r)),
    ).flat();
    const line =
      policyText
        .split('\n')
        .findIndex(
          (l, i, all) => l.includes('mode: approve') && all.slice(0, i).some((x) => x.includes(rule)),
        ) + 1;

    const nine = suggestPolicyChanges(
      trailReport(findingHistories(many.slice(0, 36)), new Date(T0), new Date()),
      { policy: value, source },
    );
    const ten = suggestPolicyChanges(trailReport(findingHistories(many), new Date(T0), new Date()), {
      policy: value,
      source,
    });

    expect(nine).toEqual([]);
    expect(ten).toEqual([
      {
        subject: `rule:${rule}`,
        change: 'consider `mode: auto`',
        evidence: `rule ${rule}: 10 of 10 approved, none undone, median wait 14 min (p90 14 min)`,
        policyLine: `policy/default.yaml:${line}:5`,
      },
    ]);
  });
});
