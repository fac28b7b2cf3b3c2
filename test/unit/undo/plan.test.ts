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
import { PLAYBOOK_ARTIFACTS } from '#shared/undo/reverse.ts';
import type { TrailRecord } from '#shared/undo/trail.ts';
import { REVOKE_SESSIONS_POLICY } from '#statemachines/disable-access-key.ts';
import { REVOKE_INSTANCE_SESSIONS_POLICY } from '#statemachines/quarantine-instance/cut-credentials.ts';
import { playbookCatalog } from '#statemachines/registry.ts';

/** The planner with the facts of the registered playbooks. */
const planUndo = (target: TargetExecution, records: readonly TrailRecord[], history?: ResourceHistory) =>
  planUndoWith(playbookCatalog, target, records, history);

/**
 * Fixtures: the execution (status, input) and the finding's audit records exactly as a real run
 * through the sandbox wrote them (test/e2e/stack/undo.test.ts), the undo's own records left out.
 */
interface Fixture {
  status: string;
  executionArn: string;
  input: { finding: { id: string; resource: Record<string, string> }; decision: Record<string, unknown> };
  records: TrailRecord[];
}
const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8'));
const target = (f: Fixture, changes: Partial<TargetExecution> = {}): TargetExecution => ({
  executionArn: f.executionArn,
  status: f.status,
  input: f.input,
  ...changes,
});
const planned = (result: UndoPlan | UndoRefusal): UndoPlan => {
  if (result.outcome !== 'planned') throw new Error(`refused: ${result.reason}`);
  return result;
};
const refused = (result: UndoPlan | UndoRefusal): UndoRefusal => {
  if (result.outcome !== 'refused') throw new Error('expected a refusal, got a plan');
  return result;
};
/** The fixture's records with one record's fields replaced (the first whose action matches). */
const withRecord = (f: Fixture, action: string, changes: Partial<TrailRecord>): TrailRecord[] => {
  const index = f.records.findIndex((r) => r.action === action);
  return f.records.map((r, i) => (i === index ? { ...r, ...changes } : r));
};
const without = (f: Fixture, ...actions: string[]) => f.records.filter((r) => !actions.includes(r.action));

describe('planUndo: disable-access-key', () => {
  const f = fixture('disable-access-key');
  const { accessKeyId, userName } = f.input.finding.resource;

  it('reverses TagUser, PutUserPolicy, UpdateAccessKey in that order, with the exact requests', () => {
    const plan = planned(planUndo(target(f), f.records));

    expect(plan.actions.map((a) => [a.type, a.request])).toEqual([
      [
        'UntagUser',
        { UserName: userName, TagKeys: ['remediation:finding', 'remediation:playbook', 'remediation:at'] },
      ],
      ['DeleteUserPolicy', { UserName: userName, PolicyName: REVOKE_SESSIONS_POLICY }],
      ['UpdateAccessKey', { UserName: userName, AccessKeyId: accessKeyId, Status: 'Active' }],
    ]);
    expect(plan).toMatchObject({ playbook: 'disable-access-key', findingId: f.input.finding.id, notes: [] });
  });

  it('leaves a key Inactive that was already Inactive before the playbook', () => {
    const before = JSON.parse(f.records.find((r) => r.action === 'UpdateAccessKey')?.before as string);
    before.keys = before.keys.map((k: Record<string, string>) => ({ ...k, Status: 'Inactive' }));
    const records = withRecord(f, 'UpdateAccessKey', { before: JSON.stringify(before) });

    const plan = planned(planUndo(target(f), records));

    expect(plan.actions.map((a) => a.type)).toEqual(['UntagUser', 'DeleteUserPolicy']);
    expect(plan.notes.join(' ')).toMatch(/already Inactive before: it stays Inactive/);
  });

  it('deletes the deny policy only when the execution added it', () => {
    const plan = planned(planUndo(target(f), without(f, 'PutUserPolicy', 'TagUser')));

    expect(plan.actions.map((a) => a.type)).toEqual(['UpdateAccessKey']);
  });

  it('undoes what a failed execution did before it failed, and says so', () => {
    const plan = planned(planUndo(target(f, { status: 'FAILED' }), without(f, 'TagUser', 'Complete')));

    expect(plan.actions.map((a) => a.type)).toEqual(['DeleteUserPolicy', 'UpdateAccessKey']);
    expect(plan.notes.join(' ')).toMatch(/ended FAILED: only the steps it recorded as succeeded are undone/);
  });
});

describe('planUndo: quarantine-instance', () => {
  const f = fixture('quarantine-instance');
  const before = JSON.parse(f.records.find((r) => r.action === 'RecordBeforeState')?.before as string);

  it('restores profile, role, every ENI, target groups and the Auto Scaling group, in reverse order', () => {
    const plan = planned(planUndo(target(f), f.records));

    expect(plan.actions.map((a) => [a.type, a.request])).toEqual([
      [
        'AssociateIamInstanceProfile',
        {
          InstanceId: before.instanceId,
          IamInstanceProfile: { Arn: before.instanceProfile.instanceProfileArn },
        },
      ],
      [
        'DeleteRolePolicy',
        { RoleName: before.instanceRole.roleName, PolicyName: REVOKE_INSTANCE_SESSIONS_POLICY },
      ],
      ...before.networkInterfaces.map(
        (eni: { networkInterfaceId: string; groups: { GroupId: string }[] }) => [
          'ModifyNetworkInterfaceAttribute',
          { NetworkInterfaceId: eni.networkInterfaceId, Groups: eni.groups.map((g) => g.GroupId) },
        ],
      ),
      [
        'RegisterTargets',
        {
          TargetGroupArn: before.targetGroups[0].targetGroupArn,
          Targets: [{ Id: before.instanceId, Port: before.targetGroups[0].port }],
        },
      ],
      [
        'AttachInstances',
        { AutoScalingGroupName: before.autoScaling.autoScalingGroupName, InstanceIds: [before.instanceId] },
      ],
    ]);
    expect(before.networkInterfaces.length).toBeGreaterThan(1);
  });

  it('tells people that AttachInstances raises desired capacity and that the evidence stays', () => {
    const plan = planned(planUndo(target(f), f.records));

    expect(plan.notes.join(' ')).toMatch(/AttachInstances raises the desired capacity of .* by one/);
    expect(plan.notes.join(' ')).toMatch(/keeps termination protection.*evidence is not undone/);
  });

  it('ignores the follow-up playbook’s records under the same finding', () => {
    const ownOnly = f.records.filter(
      (r) => r.executionArn === f.executionArn || r.executionArn === undefined,
    );

    expect(planUndo(target(f), f.records)).toEqual(planUndo(target(f), ownOnly));
    expect(f.records.some((r) => r.executionArn && r.executionArn !== f.executionArn)).toBe(true);
  });

  it('restores only the ENIs it changed', () => {
    const after = JSON.parse(f.records.find((r) => r.action === 'IsolateNetworkInterfaces')?.after as string);
    after[0].changed = false;
    const records = withRecord(f, 'IsolateNetworkInterfaces', { after: JSON.stringify(after) });

    const plan = planned(planUndo(target(f), records));

    const enis = plan.actions.filter((a) => a.type === 'ModifyNetworkInterfaceAttribute');
    expect(enis.map((a) => a.request.NetworkInterfaceId)).toEqual(
      after.slice(1).map((e: { networkInterfaceId: string }) => e.networkInterfaceId),
    );
  });

  it('refuses, naming the problem, when the recorded state before is not as the playbook writes it', () => {
    const records = withRecord(f, 'RecordBeforeState', { before: JSON.stringify({ instance: 'i-1' }) });

    expect(refused(planUndo(target(f), records))).toMatchObject({
      code: 'unreadable-trail',
      reason: expect.stringMatching(/RecordBeforeState record's before is not as the playbook writes it/),
    });
  });

  it('refuses a second run that found the instance already quarantined: nothing to undo', () => {
    const second = f.records
      .filter((r) =>
        ['classify', 'RecordBeforeState', 'IsolateNetworkInterfaces', 'Complete'].includes(r.action),
      )
      .map((r) =>
        r.action === 'IsolateNetworkInterfaces'
          ? {
              ...r,
              after: JSON.stringify(
                JSON.parse(r.after as string).map((e: object) => ({ ...e, changed: false })),
              ),
            }
          : r,
      );

    expect(refused(planUndo(target(f), second)).code).toBe('nothing-changed');
  });
});

describe('planUndo: revoke-open-ingress', () => {
  const f = fixture('revoke-open-ingress');

  it('authorizes exactly the revoked rules again, as they were', () => {
    const rules = JSON.parse(
      f.records.find((r) => r.action === 'RevokeSecurityGroupIngress')?.before as string,
    );

    const plan = planned(planUndo(target(f), f.records));

    expect(plan.actions.map((a) => [a.type, a.request])).toEqual([
      [
        'AuthorizeSecurityGroupIngress',
        {
          GroupId: f.input.finding.resource.groupId,
          IpPermissions: rules.map((r: Record<string, unknown>) => ({
            IpProtocol: r.IpProtocol,
            FromPort: r.FromPort,
            ToPort: r.ToPort,
            IpRanges: [{ CidrIp: r.CidrIpv4 }],
          })),
        },
      ],
    ]);
    expect(plan.notes.join(' ')).toMatch(/re-opens security group .* to the whole internet/);
  });

  it('re-adds an IPv6 all-traffic rule without ports', () => {
    const rule = {
      SecurityGroupRuleId: 'sgr-1',
      IpProtocol: '-1',
      FromPort: -1,
      ToPort: -1,
      CidrIpv6: '::/0',
    };
    const records = withRecord(f, 'RevokeSecurityGroupIngress', { before: JSON.stringify([rule]) });

    const plan = planned(planUndo(target(f), records));

    expect(plan.actions[0]?.request.IpPermissions).toEqual([
      { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
  });

  it('refuses an execution that found the rule already gone (skipped)', () => {
    const records = withRecord(f, 'RevokeSecurityGroupIngress', { outcome: 'skipped' }).filter(
      (r) => r.action !== 'Verify' && r.action !== 'Complete',
    );

    expect(refused(planUndo(target(f), records))).toMatchObject({
      code: 'nothing-changed',
      reason: expect.stringMatching(/changed nothing \(the resource was already contained\)/),
    });
  });
});

describe('planUndo: block-bucket-public-access', () => {
  it('puts the previous configuration back', () => {
    const f = fixture('block-bucket-public-access-partial');
    const previous = JSON.parse(f.records.find((r) => r.action === 'PutPublicAccessBlock')?.before as string);

    const plan = planned(planUndo(target(f), f.records));

    expect(plan.actions.map((a) => [a.type, a.request])).toEqual([
      [
        'PutPublicAccessBlock',
        {
          Bucket: f.input.finding.resource.bucketName,
          PublicAccessBlockConfiguration: previous.PublicAccessBlockConfiguration,
        },
      ],
    ]);
  });

  it('deletes the configuration when the bucket had none', () => {
    const f = fixture('block-bucket-public-access-none');

    const plan = planned(planUndo(target(f), f.records));

    expect(plan.actions.map((a) => [a.type, a.request])).toEqual([
      ['DeletePublicAccessBlock', { Bucket: f.input.finding.resource.bucketName }],
    ]);
  });
});

describe('planUndo refuses, with the reason', () => {
  const f = fixture('disable-access-key');
  const asPlaybook = (playbook: string, mode = 'auto') => ({
    ...f.input,
    decision: { ...f.input.decision, playbook, mode },
  });

  it.each([
    ['restart-cloudtrail-logging', /stopping it again is not a remediation/],
    ['restore-trail-settings', /repeat the weakening/],
    ['restart-config-recorder', /stopping it again is not a remediation/],
    ['reenable-guardduty', /disabling it again is not a remediation/],
    ['snapshot-and-reimage', /snapshots cannot be untaken/],
    ['some-future-playbook', /has no undo/],
  ])('%s', (playbook, reason) => {
    expect(refused(planUndo(target(f, { input: asPlaybook(playbook) }), f.records))).toMatchObject({
      code: 'not-undoable',
      reason: expect.stringMatching(reason),
    });
  });

  it('a dry-run execution', () => {
    const records = [
      { at: '2026-11-24T00:00:00Z', action: 'Plan', outcome: 'planned', executionArn: f.executionArn },
    ];

    expect(
      refused(planUndo(target(f, { input: asPlaybook('disable-access-key', 'dry-run') }), records)),
    ).toMatchObject({
      code: 'dry-run',
      reason: expect.stringMatching(/was a dry run: it recorded a plan and changed nothing/),
    });
  });

  it.each(['RUNNING', 'PENDING_REDRIVE'])('an execution still %s', (status) => {
    expect(refused(planUndo(target(f, { status }), f.records)).code).toBe('running');
  });

  it('an execution whose approval was denied: it changed nothing', () => {
    const records = [
      ...f.records.filter((r) => r.action === 'classify'),
      {
        at: '2026-11-24T00:00:01Z',
        action: 'DecideApproval',
        outcome: 'denied',
        executionArn: f.executionArn,
      },
    ];

    expect(refused(planUndo(target(f), records)).reason).toMatch(
      /changed nothing \(its approval was denied\)/,
    );
  });

  it('an execution already undone, naming the undo', () => {
    const undoArn = 'arn:aws:states:us-east-1:111122223333:execution:Undo:undo-1';
    const records = [
      ...f.records,
      {
        at: '2026-11-24T00:00:02Z',
        action: 'Undo',
        outcome: 'undone',
        executionArn: undoArn,
        details: JSON.stringify({ targetExecutionArn: f.executionArn }),
      },
    ];

    expect(refused(planUndo(target(f), records))).toMatchObject({
      code: 'already-undone',
      reason: expect.stringContaining(`already undone by ${undoArn}`),
    });
  });

  it('is not fooled by an undo of another execution of the same finding', () => {
    const records = [
      ...f.records,
      {
        at: '2026-11-24T00:00:02Z',
        action: 'Undo',
        outcome: 'undone',
        executionArn: 'arn:aws:states:us-east-1:111122223333:execution:Undo:undo-2',
        details: JSON.stringify({ targetExecutionArn: `${f.executionArn}-other` }),
      },
    ];

    expect(planUndo(target(f), records).outcome).toBe('planned');
  });

  it('an undo execution itself', () => {
    const input = {
      executionArn: f.executionArn,
      dryRun: false,
      requestedBy: 'arn:aws:iam::111122223333:user/ana',
    };

    expect(refused(planUndo(target(f, { input }), []))).toMatchObject({
      code: 'undo-execution',
      reason: expect.stringMatching(/is an undo itself/),
    });
  });

  it('an execution whose input names no finding', () => {
    expect(refused(planUndo(target(f, { input: { hello: 'world' } }), [])).code).toBe('unknown-execution');
  });
});

describe('PLAYBOOK_ARTIFACTS', () => {
  it('names the inline policies exactly as the playbooks do', () => {
    expect(PLAYBOOK_ARTIFACTS.userSessionDenyPolicy).toBe(REVOKE_SESSIONS_POLICY);
    expect(PLAYBOOK_ARTIFACTS.roleSessionDenyPolicy).toBe(REVOKE_INSTANCE_SESSIONS_POLICY);
  });
});
