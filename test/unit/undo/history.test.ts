import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  planUndo as planUndoWith,
  type ResourceHistory,
  type TargetExecution,
  type UndoPlan,
  type UndoRefusal,
} from '#shared/undo/plan.ts';
import type { TrailRecord } from '#shared/undo/trail.ts';
import { playbookCatalog } from '#statemachines/registry.ts';

/** The planner with the facts of the registered playbooks. */
const planUndo = (target: TargetExecution, records: readonly TrailRecord[], history?: ResourceHistory) =>
  planUndoWith(playbookCatalog, target, records, history);

/** Fixtures recorded from real runs through the sandbox (see plan.test.ts). */
interface Fixture {
  status: string;
  executionArn: string;
  input: { finding: { id: string } };
  records: TrailRecord[];
}
const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8'));
const target = (f: Fixture, executionArn = f.executionArn): TargetExecution => ({
  executionArn,
  status: f.status,
  input: f.input,
});
const planned = (result: UndoPlan | UndoRefusal): UndoPlan => {
  if (result.outcome !== 'planned') throw new Error(`refused: ${result.reason}`);
  return result;
};
/** The undo's last record, as the state machine writes it (details: the plan it carried out). */
const undone = (plan: UndoPlan, at: string): TrailRecord => ({
  at,
  action: 'Undo',
  outcome: 'undone',
  playbook: 'undo',
  executionArn: `arn:aws:states:us-east-1:111122223333:execution:Undo:undo-${at}`,
  details: JSON.stringify(plan),
});

describe('planUndo: two findings contained one access key', () => {
  const f = fixture('disable-access-key');
  const first = f.records.map((r) => ({ ...r, playbook: 'disable-access-key' }));
  const secondArn = `${f.executionArn}-second`;
  // The second run found the key already Inactive (the first had disabled it) and did the rest again.
  const second = first.map((r) => ({
    ...r,
    executionArn: secondArn,
    findingId: 'second-finding',
    at: r.at.replace('2026-11-24T02', '2026-11-24T03'),
    before: r.action === 'UpdateAccessKey' ? (r.before ?? '').replaceAll('"Active"', '"Inactive"') : r.before,
  }));
  const history = (...records: TrailRecord[]) => ({
    records: [...first, ...second, ...records],
    followUpStatus: {},
  });

  it('the undo of the first reverses nothing while the second stands, and says why', () => {
    const plan = planned(planUndo(target(f), first, history()));

    expect(plan.actions).toEqual([]);
    expect(plan.held?.standing).toEqual([
      { executionArn: secondArn, playbook: 'disable-access-key', findingId: 'second-finding' },
    ]);
    expect(plan.held?.reason).toContain(
      `${secondArn} (disable-access-key, finding second-finding) still contains it`,
    );
    expect(plan.held?.actions.map((a) => a.type)).toEqual([
      'UntagUser',
      'DeleteUserPolicy',
      'UpdateAccessKey',
    ]);
  });

  it('the undo of the second, once the first is undone, reverses both, each call once', () => {
    const firstUndo = planned(planUndo(target(f), first, history()));

    const plan = planned(
      planUndo(target(f, secondArn), second, history(undone(firstUndo, '2026-11-24T04:00:00Z'))),
    );

    expect(plan.held).toBeUndefined();
    expect(plan.released).toEqual([f.executionArn]);
    expect(plan.actions.map((a) => [a.type, a.request.Status])).toEqual([
      ['UntagUser', undefined],
      ['DeleteUserPolicy', undefined],
      ['UpdateAccessKey', 'Active'],
    ]);
  });

  it('a held reversal is made once: a later undo does not release it again', () => {
    const firstUndo = planned(planUndo(target(f), first, history()));
    const secondUndo = planned(
      planUndo(target(f, secondArn), second, history(undone(firstUndo, '2026-11-24T04:00:00Z'))),
    );
    const thirdArn = `${f.executionArn}-third`;
    const third = second.map((r) => ({ ...r, executionArn: thirdArn, findingId: 'third-finding' }));

    const plan = planUndo(
      target(f, thirdArn),
      third,
      history(
        undone(firstUndo, '2026-11-24T04:00:00Z'),
        undone(secondUndo, '2026-11-24T05:00:00Z'),
        ...third,
      ),
    );

    expect(planned(plan).released).toEqual([]);
  });
});

describe('planUndo: a quarantine whose follow-up still runs', () => {
  const f = fixture('quarantine-instance');
  const handOver = f.records.find((r) => r.action === 'HandOver') as TrailRecord;
  const followUp = JSON.parse(handOver.details as string).executionArn as string;
  const request = f.records.find((r) => r.action === 'RequestApproval') as TrailRecord;
  const approvalId = JSON.parse(request.details as string).approvalId as string;

  it('stops the running follow-up and cancels its pending approval before anything else', () => {
    const plan = planned(
      planUndo(target(f), f.records, { records: f.records, followUpStatus: { [followUp]: 'RUNNING' } }),
    );

    expect(plan.followUps).toEqual([{ executionArn: followUp, handedOverBy: f.executionArn, approvalId }]);
  });

  it('leaves a follow-up that has ended', () => {
    const plan = planned(
      planUndo(target(f), f.records, { records: f.records, followUpStatus: { [followUp]: 'SUCCEEDED' } }),
    );

    expect(plan.followUps).toEqual([]);
  });

  it('refuses while an approved re-image runs', () => {
    const approved: TrailRecord = {
      at: '2026-12-31T00:00:00Z',
      action: 'DecideApproval',
      outcome: 'approved',
      executionArn: followUp,
      details: JSON.stringify({ approvalId }),
    };
    const records = [...f.records, approved];

    const result = planUndo(target(f), records, { records, followUpStatus: { [followUp]: 'RUNNING' } });

    expect(result).toMatchObject({ outcome: 'refused', code: 'follow-up-running' });
  });
});
