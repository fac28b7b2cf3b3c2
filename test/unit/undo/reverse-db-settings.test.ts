import { describe, expect, it } from 'vitest';
import { planUndo, type UndoPlan, type UndoRefusal } from '#shared/undo/plan.ts';
import type { TrailRecord } from '#shared/undo/trail.ts';
import { playbookCatalog } from '#statemachines/registry.ts';
import { makeFinding } from '../policy/make-finding.ts';

const ARN = 'arn:aws:states:us-east-1:111122223333:execution:PlaybookProtectDbCluster:';
const SETTINGS: Record<string, string> = { 'RDS.7': 'DeletionProtection', 'RDS.16': 'CopyTagsToSnapshot' };

/** One protect-db-cluster run of `control` on cluster orders-aurora, as its audit records read. */
function run(name: string, control: string, at: string) {
  const executionArn = `${ARN}${name}`;
  const finding = makeFinding({
    id: `finding-${name}`,
    source: 'securityhub',
    control,
    resource: { kind: 'Other', type: 'AwsRdsDbCluster', id: 'orders-aurora' },
  });
  const setting = SETTINGS[control] as string;
  const base = { executionArn, playbook: 'protect-db-cluster', findingId: finding.id };
  const records: TrailRecord[] = [
    {
      ...base,
      at: `${at}1`,
      action: 'ModifyDBCluster',
      outcome: 'succeeded',
      before: JSON.stringify({ DeletionProtection: false, CopyTagsToSnapshot: false }),
      details: JSON.stringify({ control, setting, value: true }),
    },
    { ...base, at: `${at}2`, action: 'Complete', outcome: 'contained' },
  ];
  const target = {
    executionArn,
    status: 'SUCCEEDED',
    input: {
      finding,
      decision: { playbook: 'protect-db-cluster', mode: 'auto' },
      audit: { pk: `FINDING#${finding.id}`, resourceKey: 'RESOURCE#orders-aurora' },
    },
  };
  return { target, records };
}

const planned = (result: UndoPlan | UndoRefusal): UndoPlan => {
  if (result.outcome !== 'planned') throw new Error(`refused: ${result.reason}`);
  return result;
};

describe('undo of protect-db-cluster: one setting per control', () => {
  it("puts back only the run's own setting, even while another control's run on the cluster stands", () => {
    const protection = run('rds7', 'RDS.7', '2026-12-06T06:00:0');
    const tags = run('rds16', 'RDS.16', '2026-12-06T06:00:1');
    const history = { records: [...protection.records, ...tags.records], followUpStatus: {} };

    const plan = planned(planUndo(playbookCatalog, tags.target, tags.records, history));

    expect(plan.held).toBeUndefined();
    expect(plan.actions.map((a) => [a.type, a.request])).toEqual([
      [
        'ModifyDBCluster',
        { DbClusterIdentifier: 'orders-aurora', CopyTagsToSnapshot: false, ApplyImmediately: true },
      ],
    ]);
  });

  it('waits while another run of the same control on the cluster stands', () => {
    const first = run('rds16a', 'RDS.16', '2026-12-06T06:00:0');
    const second = run('rds16b', 'RDS.16', '2026-12-06T06:00:1');
    const history = { records: [...first.records, ...second.records], followUpStatus: {} };

    const plan = planned(planUndo(playbookCatalog, second.target, second.records, history));

    expect(plan.actions).toEqual([]);
    expect(plan.held?.standing.map((s) => s.executionArn)).toEqual([first.target.executionArn]);
  });
});
