import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UndoResult, undo } from '#cli/commands/undo.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, executionEnded, userWithKey, waitFor } from './approval-helpers.ts';
import { fixtureEvent, leakedKeyFinding, type StackHarness, startStack } from './harness.ts';
import { playbookExecution, type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
let undoStateMachine: string;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-una');
  undoStateMachine = h.sandbox.deployment?.outputs.UndoStateMachineArn as string;
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const c = () => h.sandbox.clients;

/** Start the undo, approve it as on-call (the default policy's `undo.mode` is approve), wait for the end. */
async function undoApproved(findingId: string, executionArn: string, clicks = 1): Promise<UndoResult> {
  const { started, ended } = await desk.approved(findingId, { executionArn, clicks });
  expect(ended.status).toBe('SUCCEEDED');
  expect(JSON.parse(ended.output ?? '{}').outcome).toBe('undone');
  return started;
}

let serial = 0;
/** A fresh CloudTrail event id, so every event is a new finding. */
const newEventId = () => `0d1f7a00-0000-4000-8000-${String(++serial).padStart(12, '0')}`;
/** The undo's own records in a finding's trail, in order. */
const undoSteps = async (findingId: string) =>
  (await h.history(findingId)).filter((r) => r.actor === 'playbook/undo').map((r) => [r.action, r.outcome]);
const calls = (operation: string) =>
  h.sandbox.server.calls.filter((call) => call.operation === operation).length;

/** A playbook input as classify builds it, to start a playbook directly (dry run, follow-up). */
function playbookInput(
  event: { source: string; 'detail-type': string; detail: unknown },
  playbook: string,
  mode: string,
  params?: object,
) {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the fixture no longer normalizes');
  return {
    finding,
    decision: { playbook, mode, ruleId: 'test', reason: 'test', ...(params ? { params } : {}) },
    audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
  };
}

describe('undo restores what each playbook changed, field by field', () => {
  let keyExecution: string;

  it('disable-access-key: the key is Active again, the deny policy and the tags are gone', async () => {
    const carol = await userWithKey(h, 'carol');
    const state = async () => ({
      keys: (await c().iam.send(new ListAccessKeysCommand({ UserName: 'carol' }))).AccessKeyMetadata?.map(
        (k) => [k.AccessKeyId, k.Status],
      ),
      policies: (await c().iam.send(new ListUserPoliciesCommand({ UserName: 'carol' }))).PolicyNames,
      tags: (await c().iam.send(new ListUserTagsCommand({ UserName: 'carol' }))).Tags,
    });
    const before = await state();
    const findingId = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a001';

    await h.put(leakedKeyFinding(carol.accessKeyId, 'carol', findingId));
    const contained = await state();
    keyExecution = await playbookExecution(h, findingId);
    await undoApproved(findingId, keyExecution);

    expect(contained).toMatchObject({
      keys: [[carol.accessKeyId, 'Inactive']],
      policies: [expect.any(String)],
    });
    expect(await state()).toEqual(before);
    expect(await undoSteps(findingId)).toEqual([
      ['Plan', 'planned'],
      ['RequestApproval', 'approval-required'],
      ['UntagUser', 'succeeded'],
      ['DeleteUserPolicy', 'succeeded'],
      ['UpdateAccessKey', 'succeeded'],
      ['Undo', 'undone'],
    ]);
  });

  it('a second undo of the same execution is refused: it was already undone', async () => {
    const updatesBefore = calls('UpdateAccessKey');

    const second = await desk.run(keyExecution);

    expect(second).toMatchObject({ exitCode: 1, outcome: 'refused', plan: { code: 'already-undone' } });
    expect(second.plan?.outcome === 'refused' && second.plan.reason).toMatch(/was already undone by .*undo-/);
    expect(calls('UpdateAccessKey')).toBe(updatesBefore);
  });

  it('stops in needs-human at the reverse call IAM refuses, naming that step and linking its place in the undo runbook', async () => {
    const erin = await userWithKey(h, 'erin');
    const findingId = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0e1';
    await h.put(leakedKeyFinding(erin.accessKeyId, 'erin', findingId));
    const started = await desk.run(await playbookExecution(h, findingId));
    const notice = await waitFor('the undo approval', () =>
      h.sandbox.services.sns.published.find(
        (m) =>
          m.message.includes(`Finding id: ${findingId}`) &&
          (m.subject ?? '').includes('undo: approval required'),
      ),
    );
    h.sandbox.server.faults.add({ service: 'iam', operation: 'UpdateAccessKey', code: 'AccessDenied' });
    try {
      await desk.oncall.decide(
        /approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1] as string,
        'approve',
        'put it back',
      );
      expect((await executionEnded(h, started.undoExecutionArn)).status).toBe('FAILED');
    } finally {
      h.sandbox.server.faults.clear();
    }

    expect(await undoSteps(findingId)).toEqual([
      ['Plan', 'planned'],
      ['RequestApproval', 'approval-required'],
      ['UntagUser', 'succeeded'],
      ['DeleteUserPolicy', 'succeeded'],
      ['NeedsHuman', 'needs-human'],
    ]);
    const needsHuman = (await h.history(findingId)).at(-1);
    expect(JSON.parse(needsHuman?.details as string)).toMatchObject({
      stoppedAt: { step: 'Undo UpdateAccessKey', call: 'iam:UpdateAccessKey' },
    });
    const paged = h.sandbox.services.sns.published.find(
      (m) => m.message.includes(findingId) && (m.subject ?? '').includes('undo: needs a human'),
    );
    const anchor = 'stopped-at-undo-updateaccesskey';
    expect(JSON.parse(paged?.message ?? '{}')).toMatchObject({
      stoppedAt: 'Undo UpdateAccessKey',
      runbook: `docs/runbooks/undo.md#${anchor}`,
    });
    expect(
      readFileSync(path.resolve(import.meta.dirname, '../../../docs/runbooks/undo.md'), 'utf8'),
    ).toContain(`<a id="${anchor}"></a>`);
    expect(
      (await c().iam.send(new ListAccessKeysCommand({ UserName: 'erin' }))).AccessKeyMetadata?.[0]?.Status,
    ).toBe('Inactive');
  });

  it('quarantine-instance: ENI groups, profile, Auto Scaling membership and target registration are back; capacity is +1 as documented', async () => {
    const { instance, autoScalingGroup, targetGroupArn, instanceRole } = h.account;
    const state = async () => {
      const described = (await c().ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.id] })))
        .Reservations?.[0]?.Instances?.[0];
      const associations = await c().ec2.send(
        new DescribeIamInstanceProfileAssociationsCommand({
          Filters: [
            { Name: 'instance-id', Values: [instance.id] },
            { Name: 'state', Values: ['associated'] },
          ],
        }),
      );
      const group = (
        await c().autoscaling.send(
          new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [autoScalingGroup] }),
        )
      ).AutoScalingGroups?.[0];
      const target = (
        await c().elbv2.send(
          new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: instance.id }] }),
        )
      ).TargetHealthDescriptions?.[0];
      return {
        eniGroups: Object.fromEntries(
          (described?.NetworkInterfaces ?? []).map((eni) => [
            eni.NetworkInterfaceId,
            eni.Groups?.map((g) => g.GroupId),
          ]),
        ),
        profile: associations.IamInstanceProfileAssociations?.map((a) => a.IamInstanceProfile?.Arn),
        asgMembers: group?.Instances?.map((i) => i.InstanceId).sort(),
        desiredCapacity: group?.DesiredCapacity,
        target: {
          port: target?.Target?.Port,
          serving: !['unused', 'draining'].includes(target?.TargetHealth?.State ?? 'unused'),
        },
        rolePolicies: (await c().iam.send(new ListRolePoliciesCommand({ RoleName: instanceRole.roleName })))
          .PolicyNames,
      };
    };
    const before = await state();
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    const findingId = 'e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1aa';
    event.detail.id = findingId;
    event.detail.resource.instanceDetails.instanceId = instance.id;

    await h.put(event);
    const quarantined = await state();
    const started = await undoApproved(findingId, await playbookExecution(h, findingId));
    const after = await state();

    expect(before.target.serving).toBe(true);
    expect(quarantined).toMatchObject({
      profile: [],
      target: { serving: false },
      rolePolicies: [expect.any(String)],
    });
    expect(quarantined.asgMembers).not.toContain(instance.id);
    expect({ ...after, desiredCapacity: undefined }).toEqual({ ...before, desiredCapacity: undefined });
    // AttachInstances raises the desired capacity by one (the quarantine kept it); the plan says so.
    expect(after.desiredCapacity).toBe((before.desiredCapacity ?? 0) + 1);
    expect(started.plan?.outcome === 'planned' && started.plan.notes.join(' ')).toMatch(
      /raises the desired capacity .* by one/,
    );
    expect(await undoSteps(findingId)).toEqual([
      ['Plan', 'planned'],
      ['RequestApproval', 'approval-required'],
      // The quarantine handed over to snapshot-and-reimage, whose re-image still waits: stopped first.
      ['CancelFollowUp', 'succeeded'],
      ['AssociateIamInstanceProfile', 'succeeded'],
      ['DeleteRolePolicy', 'succeeded'],
      ...Object.keys(before.eniGroups).map(() => ['ModifyNetworkInterfaceAttribute', 'succeeded']),
      ['RegisterTargets', 'succeeded'],
      ['AttachInstances', 'succeeded'],
      ['Undo', 'undone'],
    ]);
  });

  it('revoke-open-ingress: --dry-run changes nothing; the undo re-adds exactly the revoked rule', async () => {
    const { app } = h.account.securityGroups;
    const rules = async () =>
      (
        (
          await c().ec2.send(
            new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [app] }] }),
          )
        ).SecurityGroupRules ?? []
      )
        .filter((r) => !r.IsEgress)
        .map((r) => ({
          protocol: r.IpProtocol,
          from: r.FromPort,
          to: r.ToPort,
          cidr: r.CidrIpv4 ?? r.CidrIpv6,
        }))
        .sort((a, b) => (a.from ?? 0) - (b.from ?? 0));
    const authorized = await c().ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: app,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const ruleId = authorized.SecurityGroupRules?.[0]?.SecurityGroupRuleId as string;
    const before = await rules();
    const event = fixtureEvent('cloudtrail-authorize-sg-ingress-ssh-world.json');
    event.detail.eventID = newEventId();
    event.detail.requestParameters.groupId = app;
    event.detail.requestParameters.ipPermissions.items[0].ipv6Ranges = {};
    const [added] = event.detail.responseElements.securityGroupRuleSet.items;
    event.detail.responseElements.securityGroupRuleSet.items = [
      { ...added, groupId: app, securityGroupRuleId: ruleId },
    ];

    await h.put(event);
    const revoked = await rules();
    const execution = await playbookExecution(h, event.detail.eventID);
    const authorizesBefore = calls('AuthorizeSecurityGroupIngress');
    const dryRun = await desk.run(execution, { dryRun: true });

    expect(dryRun).toMatchObject({ exitCode: 0, outcome: 'planned', plan: { outcome: 'planned' } });
    expect(calls('AuthorizeSecurityGroupIngress')).toBe(authorizesBefore);
    expect(await rules()).toEqual(revoked);
    expect(revoked).not.toEqual(before);

    await undoApproved(event.detail.eventID, execution);

    expect(await rules()).toEqual(before);
    expect(await undoSteps(event.detail.eventID)).toEqual([
      ['Plan', 'planned'],
      ['Plan', 'planned'],
      ['RequestApproval', 'approval-required'],
      ['AuthorizeSecurityGroupIngress', 'succeeded'],
      ['Undo', 'undone'],
    ]);
  });

  describe('block-bucket-public-access', () => {
    const blockOf = async (bucket: string) =>
      c()
        .s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))
        .then((out) => out.PublicAccessBlockConfiguration)
        .catch((error: Error) => error.name);
    const publicPolicyEvent = (bucket: string) => {
      const event = fixtureEvent('cloudtrail-put-bucket-policy-public.json');
      event.detail.eventID = newEventId();
      event.detail.requestParameters.bucketName = bucket;
      event.detail.requestParameters.bucketPolicy.Statement[0].Resource = `arn:aws:s3:::${bucket}/*`;
      return event;
    };

    it('a bucket that had a partial configuration gets exactly that configuration back', async () => {
      const bucket = 'undo-reports-111122223333';
      await c().s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await c().s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: false,
          },
        }),
      );
      const before = await blockOf(bucket);
      const event = publicPolicyEvent(bucket);

      await h.put(event);
      const blocked = await blockOf(bucket);
      await undoApproved(event.detail.eventID, await playbookExecution(h, event.detail.eventID));

      expect(blocked).toMatchObject({ BlockPublicPolicy: true, RestrictPublicBuckets: true });
      expect(await blockOf(bucket)).toEqual(before);
    });

    it('a bucket that had none has none again; a double click undoes once', async () => {
      const { bucket } = h.account;
      const before = await blockOf(bucket);
      const event = publicPolicyEvent(bucket);
      await c().s3.send(
        new PutBucketPolicyCommand({
          Bucket: bucket,
          Policy: JSON.stringify(event.detail.requestParameters.bucketPolicy),
        }),
      );

      await h.put(event);
      await undoApproved(event.detail.eventID, await playbookExecution(h, event.detail.eventID), 2);

      expect(before).toBe('NoSuchPublicAccessBlockConfiguration');
      expect(await blockOf(bucket)).toBe(before);
      expect(await undoSteps(event.detail.eventID)).toEqual([
        ['Plan', 'planned'],
        ['RequestApproval', 'approval-required'],
        ['DeletePublicAccessBlock', 'succeeded'],
        ['Undo', 'undone'],
      ]);
    });
  });
});

describe('undo refuses, with the reason, what it must not or cannot undo', () => {
  /** Undo refused: exit code 1, the reason printed, `refused` audited under the finding, nothing called. */
  async function expectRefused(executionArn: string, findingId: string, code: string, reason: RegExp) {
    const lines: string[] = [];
    const out = { log: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
    const mutationsBefore = h.sandbox.server.calls.length;

    const result = await undo(
      executionArn,
      { stateMachine: undoStateMachine, pollMs: 50 },
      { sfn: c().sfn, sts: desk.sts },
      out,
    );

    expect(result).toMatchObject({ exitCode: 1, outcome: 'refused', plan: { outcome: 'refused', code } });
    expect(lines.join('\n')).toMatch(reason);
    expect(await undoSteps(findingId)).toContainEqual(['Plan', 'refused']);
    const later = h.sandbox.server.calls.slice(mutationsBefore).map((call) => call.operation);
    expect(
      later.filter(
        (op) =>
          /^(Update|Delete|Put|Untag|Associate|Modify|Register|Attach|Authorize)/.test(op) &&
          // The audit trail's own writes: records, and the chain heads they move.
          op !== 'PutItem' &&
          op !== 'UpdateItem',
      ),
    ).toEqual([]);
  }

  it('restart-cloudtrail-logging: re-stopping a trail is not a remediation', async () => {
    const event = fixtureEvent('cloudtrail-stop-logging.json');
    event.detail.eventID = newEventId();
    event.detail.requestParameters.name = `arn:aws:cloudtrail:us-east-1:111122223333:trail/${h.account.trail}`;
    await h.put(event);

    await expectRefused(
      await playbookExecution(h, event.detail.eventID),
      event.detail.eventID,
      'not-undoable',
      /stopping it again is not a remediation/,
    );
  });

  it('a dry-run execution: it changed nothing', async () => {
    const dave = await userWithKey(h, 'dave');
    const input = playbookInput(
      leakedKeyFinding(dave.accessKeyId, 'dave', 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0d1'),
      'disable-access-key',
      'dry-run',
    );
    const started = await c().sfn.send(
      new StartExecutionCommand({
        stateMachineArn: h.sandbox.deployment?.outputs.StateMachineDisableAccessKey,
        input: JSON.stringify(input),
      }),
    );
    await executionEnded(h, started.executionArn as string);

    await expectRefused(
      started.executionArn as string,
      input.finding.id,
      'dry-run',
      /was a dry run: it recorded a plan and changed nothing/,
    );
  });

  it('snapshot-and-reimage: snapshots cannot be untaken, a replaced root volume cannot be put back', async () => {
    const golden = h.sandbox.services.ec2.seedImage({ name: 'golden-web-undo' });
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a0aa1';
    event.detail.type = 'CryptoCurrency:EC2/BitcoinTool.B!DNS';
    event.detail.resource.instanceDetails.instanceId = h.account.instance.id;
    const input = playbookInput(event, 'snapshot-and-reimage', 'auto', { goldenImageId: golden.imageId });
    const started = await c().sfn.send(
      new StartExecutionCommand({
        stateMachineArn: h.sandbox.deployment?.outputs.StateMachineSnapshotAndReimage,
        input: JSON.stringify(input),
      }),
    );
    // The re-image waits for approval in every mode.
    const notice = await waitFor('the re-image approval', () => approvalNotice(h, input.finding.id));
    await desk.oncall.decide(notice.approvalId, 'approve', 'evidence is safe');
    const ended = await executionEnded(h, started.executionArn as string);
    expect(ended.status).toBe('SUCCEEDED');

    await expectRefused(
      started.executionArn as string,
      input.finding.id,
      'not-undoable',
      /snapshots cannot be untaken/,
    );
  });
});
