import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AttachInstancesCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DisassociateIamInstanceProfileCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StsService } from '#sandbox/services/sts.ts';
import { REVOKE_INSTANCE_SESSIONS_POLICY } from '#statemachines/quarantine-instance/cut-credentials.ts';
import { ISOLATION_TAG } from '#statemachines/quarantine-instance/isolate-network.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
/** Every ModifyNetworkInterfaceAttribute the sandbox received, in order: the ENI and its new groups. */
const groupChanges: { eni: string; groups: string[] }[] = [];
beforeAll(async () => {
  h = await startStack();
  h.sandbox.server.onCall((call, req) => {
    if (call.operation !== 'ModifyNetworkInterfaceAttribute' || call.status !== 200) return;
    const form = new URLSearchParams(req.body.toString('utf8'));
    const groups = [...form].filter(([key]) => key.startsWith('SecurityGroupId.')).map(([, v]) => v);
    groupChanges.push({ eni: form.get('NetworkInterfaceId') as string, groups });
  });
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** The EC2 C&C fixture (High) pointed at the seeded instance. */
function compromisedInstanceFinding(findingId: string) {
  const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
  event.detail.id = findingId;
  event.detail.resource.instanceDetails.instanceId = h.account.instance.id;
  return event;
}

const instance = async () =>
  (await h.sandbox.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [h.account.instance.id] })))
    .Reservations?.[0]?.Instances?.[0];
const groupsOfEnis = async () =>
  Object.fromEntries(
    ((await instance())?.NetworkInterfaces ?? []).map((eni) => [
      eni.NetworkInterfaceId,
      (eni.Groups ?? []).map((g) => g.GroupId),
    ]),
  );
const playbookGroups = async () =>
  (
    await h.sandbox.clients.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: [ISOLATION_TAG] }] }),
    )
  ).SecurityGroups ?? [];
const desiredCapacity = async () =>
  (
    await h.sandbox.clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [h.account.autoScalingGroup] }),
    )
  ).AutoScalingGroups?.[0];
const targetState = async (instanceId = h.account.instance.id) =>
  (
    await h.sandbox.clients.elbv2.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: h.account.targetGroupArn,
        Targets: [{ Id: instanceId }],
      }),
    )
  ).TargetHealthDescriptions?.[0]?.TargetHealth?.State;
/** A fresh running instance in the seeded instance's subnet (VPC A), in the web group only. */
const launchInSeededSubnet = async () => {
  const seeded = await instance();
  const launched = await h.sandbox.clients.ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0abcdef1234567890',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: seeded?.SubnetId,
      SecurityGroupIds: [h.account.securityGroups.web],
    }),
  );
  return launched.Instances?.[0]?.InstanceId as string;
};

/** Credentials of the instance's role, as EC2 hands them to the instance through its profile. */
async function instanceRoleSession() {
  const { Role } = await h.sandbox.clients.iam.send(
    new GetRoleCommand({ RoleName: h.account.instanceRole.roleName }),
  );
  const sts = h.sandbox.server.authorizer as StsService;
  return sts.serviceSession(Role?.Arn as string, 'ec2.amazonaws.com', { sessionName: h.account.instance.id });
}

const listBuckets = (credentials: Awaited<ReturnType<typeof instanceRoleSession>>) =>
  new S3Client({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    forcePathStyle: true,
    credentials,
  }).send(new ListBucketsCommand({}));

describe('quarantine-instance, end to end through the sandbox', () => {
  it('isolates both ENIs through the allow-all group, leaves the ASG and target group, protects the evidence and cuts credentials', async () => {
    const originalGroups = await groupsOfEnis();
    const event = compromisedInstanceFinding('e1e1e1e1e1e1e1e1e1e1e1e1e1e1e101');
    // The instance's role may list buckets; its credentials (from the instance metadata) are stolen.
    await h.sandbox.clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: h.account.instanceRole.roleName,
        PolicyName: 'list-buckets',
        PolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
        }),
      }),
    );
    const stolen = await instanceRoleSession();
    await expect(listBuckets(stolen)).resolves.toHaveProperty('Buckets');

    await h.put(event);

    // The session issued before the quarantine is refused; one issued afterwards is not.
    await expect(listBuckets(stolen)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(
        `assumed-role/${h.account.instanceRole.roleName}/${h.account.instance.id} is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in an identity-based policy`,
      ),
    });
    await expect(listBuckets(await instanceRoleSession())).resolves.toHaveProperty('Buckets');

    const groups = await playbookGroups();
    const isolation = groups.find((g) =>
      g.Tags?.some((t) => t.Key === ISOLATION_TAG && t.Value === 'deny-all'),
    );
    const allowAll = groups.find((g) =>
      g.Tags?.some((t) => t.Key === ISOLATION_TAG && t.Value === 'allow-all'),
    );
    expect(isolation).toMatchObject({ IpPermissions: [], IpPermissionsEgress: [], VpcId: h.account.vpcs[0] });
    expect(allowAll?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      }),
    ]);
    const enis = Object.keys(originalGroups);
    expect(enis).toHaveLength(2);
    expect(await groupsOfEnis()).toEqual(Object.fromEntries(enis.map((eni) => [eni, [isolation?.GroupId]])));
    expect(groupChanges).toEqual(
      enis.flatMap((eni) => [
        { eni, groups: [allowAll?.GroupId] },
        { eni, groups: [isolation?.GroupId] },
      ]),
    );
    const asg = await desiredCapacity();
    expect(asg?.Instances?.map((i) => i.InstanceId)).not.toContain(h.account.instance.id);
    expect(asg?.DesiredCapacity).toBe(1);
    expect(await targetState()).toBe('draining');
    const protection = await h.sandbox.clients.ec2.send(
      new DescribeInstanceAttributeCommand({
        InstanceId: h.account.instance.id,
        Attribute: 'disableApiTermination',
      }),
    );
    expect(protection.DisableApiTermination?.Value).toBe(true);
    const quarantined = await instance();
    expect(quarantined?.BlockDeviceMappings?.map((b) => b.Ebs?.DeleteOnTermination)).not.toContain(true);
    expect(quarantined?.Tags).toContainEqual({ Key: 'remediation:quarantine', Value: event.detail.id });
    expect(quarantined?.IamInstanceProfile).toBeUndefined();
    const deny = await h.sandbox.clients.iam.send(
      new GetRolePolicyCommand({
        RoleName: h.account.instanceRole.roleName,
        PolicyName: REVOKE_INSTANCE_SESSIONS_POLICY,
      }),
    );
    const statement = JSON.parse(decodeURIComponent(deny.PolicyDocument as string)).Statement[0];
    expect(statement).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
    expect(Date.parse(statement.Condition.DateLessThan['aws:TokenIssueTime'])).toBeGreaterThan(
      Date.now() - 60_000,
    );

    const history = await h.history(event.detail.id);
    // The finding's one timeline holds the quarantine, then the follow-up it handed over to.
    const trail = history.filter((r) => r.playbook !== 'snapshot-and-reimage');
    // What stops the attacker first: the network, then the credentials; then what can wait.
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['IsolateNetworkInterfaces', 'succeeded'],
      ['RecordBeforeState', 'succeeded'],
      ['PutRolePolicy', 'succeeded'],
      ['DisassociateIamInstanceProfile', 'succeeded'],
      ['EnableTerminationProtection', 'succeeded'],
      ['SetShutdownBehaviorStop', 'succeeded'],
      ['KeepVolumesOnTermination', 'succeeded'],
      ['TagInstance', 'succeeded'],
      ['DetachInstances', 'succeeded'],
      ['DeregisterTargets', 'succeeded'],
      ['Complete', 'contained'],
      ['HandOver', 'succeeded'],
    ]);
    // snapshot-and-reimage took the evidence and waits for a person before re-imaging.
    const followUp = history.filter((r) => r.playbook === 'snapshot-and-reimage');
    expect(followUp.map((r) => [r.action, r.outcome])).toEqual([
      ['RecordBeforeState', 'succeeded'],
      ['CreateSnapshots', 'succeeded'],
      ['RequestApproval', 'approval-required'],
    ]);
    expect(JSON.parse(trail.at(-1)?.details as string).executionArn).toBe(followUp[0]?.executionArn);
    const before = JSON.parse(trail.find((r) => r.action === 'RecordBeforeState')?.before as string);
    expect(
      Object.fromEntries(
        before.networkInterfaces.map((eni: { networkInterfaceId: string; groups: { GroupId: string }[] }) => [
          eni.networkInterfaceId,
          eni.groups.map((g) => g.GroupId),
        ]),
      ),
    ).toEqual(originalGroups);
    expect(before.autoScaling).toEqual({ member: true, autoScalingGroupName: h.account.autoScalingGroup });
    expect(before.instanceProfile).toEqual({
      associated: true,
      associationId: h.account.instanceRole.associationId,
      instanceProfileArn: h.account.instanceRole.instanceProfileArn,
    });
    expect(before.instanceRole).toEqual({ roleName: h.account.instanceRole.roleName });
    // One page of target groups held them all: the record says so, as a plain false.
    expect(before.targetGroupsTruncated).toBe(false);
  });

  it('changes nothing for a second finding on the same instance and creates no second isolation group', async () => {
    const groupsBefore = (await playbookGroups()).map((g) => g.GroupId).sort();
    const enisBefore = await groupsOfEnis();
    const callsBefore = h.sandbox.server.calls.length;
    const event = compromisedInstanceFinding('e1e1e1e1e1e1e1e1e1e1e1e1e1e1e102');

    await h.put(event);

    expect((await playbookGroups()).map((g) => g.GroupId).sort()).toEqual(groupsBefore);
    expect(await groupsOfEnis()).toEqual(enisBefore);
    expect((await desiredCapacity())?.DesiredCapacity).toBe(1);
    expect((await instance())?.Tags).toContainEqual({
      Key: 'remediation:quarantine',
      Value: 'e1e1e1e1e1e1e1e1e1e1e1e1e1e1e101',
    });
    const mutations = h.sandbox.server.calls
      .slice(callsBefore)
      .filter((c) => ['ec2', 'autoscaling', 'elasticloadbalancing', 'iam'].includes(c.service))
      .filter((c) => !/^(Describe|Get|List)/.test(c.operation));
    expect(mutations.map((c) => c.operation)).toEqual([]);
    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['IsolateNetworkInterfaces', 'succeeded'],
      ['RecordBeforeState', 'succeeded'],
      ['DeregisterTargets', 'succeeded'],
      ['Complete', 'contained'],
      // The first finding's follow-up already took the evidence: no second snapshot set.
      ['HandOver', 'skipped'],
    ]);
    expect(JSON.parse(trail[1]?.after as string).map((e: { changed: boolean }) => e.changed)).toEqual([
      false,
      false,
    ]);
  });

  it('isolates and deregisters an instance of VPC A although a target group of VPC B exists', async () => {
    const { ec2, elbv2 } = h.sandbox.clients;
    const instanceId = await launchInSeededSubnet();
    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: h.account.targetGroupArn, Targets: [{ Id: instanceId }] }),
    );
    // DescribeTargetHealth about the instance on this group answers InvalidTarget.
    await elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'other-vpc',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: h.account.vpcs[1],
      }),
    );
    const event = compromisedInstanceFinding('e1e1e1e1e1e1e1e1e1e1e1e1e1e1e104');
    event.detail.resource.instanceDetails.instanceId = instanceId;

    await h.put(event);

    const isolation = (await playbookGroups()).find(
      (g) =>
        g.VpcId === h.account.vpcs[0] &&
        g.Tags?.some((t) => t.Key === ISOLATION_TAG && t.Value === 'deny-all'),
    );
    const after = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
      .Reservations?.[0]?.Instances?.[0];
    expect(after?.NetworkInterfaces?.map((eni) => eni.Groups?.map((g) => g.GroupId))).toEqual([
      [isolation?.GroupId],
    ]);
    expect(await targetState(instanceId)).toBe('draining');
    const trail = (await h.history(event.detail.id)).map((r) => [r.action, r.outcome]);
    expect(trail).toContainEqual(['DeregisterTargets', 'succeeded']);
    expect(trail).toContainEqual(['IsolateNetworkInterfaces', 'succeeded']);
    expect(trail).toContainEqual(['Complete', 'contained']);
    expect(trail).not.toContainEqual(['NeedsHuman', 'needs-human']);
  });

  it('ends in needs-human, isolated and with sessions denied, when the profile association changes while it is read', async () => {
    const { ec2, iam } = h.sandbox.clients;
    const seeded = await instance();
    const instanceId = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-0abcdef1234567890',
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: seeded?.SubnetId,
          SecurityGroupIds: [h.account.securityGroups.web],
          IamInstanceProfile: { Arn: h.account.instanceRole.instanceProfileArn },
        }),
      )
    ).Instances?.[0]?.InstanceId as string;
    // A deny policy left by an earlier test would hide whether this run wrote one.
    await iam
      .send(
        new DeleteRolePolicyCommand({
          RoleName: h.account.instanceRole.roleName,
          PolicyName: REVOKE_INSTANCE_SESSIONS_POLICY,
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'NoSuchEntityException') throw error;
      });
    const { IamInstanceProfileAssociations } = await ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [{ Name: 'instance-id', Values: [instanceId] }],
      }),
    );
    // The playbook sees the profile in DescribeInstances; before it reads the association, the
    // association goes away (someone replacing or removing it), so the read finds none.
    h.sandbox.server.faults.add({
      service: 'ec2',
      operation: 'DescribeIamInstanceProfileAssociations',
      latencyMs: 500,
      times: 1,
    });
    let removed: Promise<unknown> | undefined;
    const stop = h.sandbox.server.onCall((call, req) => {
      if (
        removed ||
        call.operation !== 'DescribeInstances' ||
        !req.body.toString('utf8').includes(instanceId)
      )
        return;
      removed = ec2.send(
        new DisassociateIamInstanceProfileCommand({
          AssociationId: IamInstanceProfileAssociations?.[0]?.AssociationId,
        }),
      );
    });
    const event = compromisedInstanceFinding('e1e1e1e1e1e1e1e1e1e1e1e1e1e1e105');
    event.detail.resource.instanceDetails.instanceId = instanceId;

    try {
      await h.put(event);
      await removed;
    } finally {
      stop();
      h.sandbox.server.faults.clear();
    }

    const trail = await h.history(event.detail.id);
    // Isolated and sessions denied at once; the evidence protected; then a person is asked.
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['IsolateNetworkInterfaces', 'succeeded'],
      ['RecordBeforeState', 'succeeded'],
      ['PutRolePolicy', 'succeeded'],
      ['EnableTerminationProtection', 'succeeded'],
      ['SetShutdownBehaviorStop', 'succeeded'],
      ['KeepVolumesOnTermination', 'succeeded'],
      ['TagInstance', 'succeeded'],
      ['DeregisterTargets', 'succeeded'],
      ['NeedsHuman', 'needs-human'],
    ]);
    expect(JSON.parse(trail.at(-1)?.details as string)).toMatchObject({
      Error: 'InstanceProfileAssociationUnsettled',
    });
    const deny = await iam.send(
      new GetRolePolicyCommand({
        RoleName: h.account.instanceRole.roleName,
        PolicyName: REVOKE_INSTANCE_SESSIONS_POLICY,
      }),
    );
    expect(deny.PolicyDocument).toBeDefined();
  });

  it('ends in needs-human when Auto Scaling denies DetachInstances: already isolated, earlier steps audited, later ones not run', async () => {
    const { ec2, autoscaling } = h.sandbox.clients;
    const seeded = await instance();
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-0abcdef1234567890',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: seeded?.SubnetId,
        SecurityGroupIds: [h.account.securityGroups.web],
      }),
    );
    const instanceId = launched.Instances?.[0]?.InstanceId as string;
    await autoscaling.send(
      new AttachInstancesCommand({
        AutoScalingGroupName: h.account.autoScalingGroup,
        InstanceIds: [instanceId],
      }),
    );
    const event = compromisedInstanceFinding('e1e1e1e1e1e1e1e1e1e1e1e1e1e1e103');
    event.detail.resource.instanceDetails.instanceId = instanceId;
    h.sandbox.server.faults.add({
      service: 'autoscaling',
      operation: 'DetachInstances',
      code: 'AccessDenied',
    });
    const changesBefore = groupChanges.length;

    try {
      await h.put(event);
    } finally {
      h.sandbox.server.faults.clear();
    }

    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['IsolateNetworkInterfaces', 'succeeded'],
      ['RecordBeforeState', 'succeeded'],
      ['EnableTerminationProtection', 'succeeded'],
      ['SetShutdownBehaviorStop', 'succeeded'],
      ['KeepVolumesOnTermination', 'succeeded'],
      ['TagInstance', 'succeeded'],
      ['NeedsHuman', 'needs-human'],
    ]);
    expect(JSON.parse(trail.at(-1)?.details as string)).toMatchObject({
      Error: 'AutoScaling.AutoScalingException',
    });
    const group = await desiredCapacity();
    expect(group?.Instances?.map((i) => i.InstanceId)).toContain(instanceId);
    // The network was cut before the detach was tried: through the allow-all group, then isolated.
    expect(groupChanges.length).toBe(changesBefore + 2);
    const after = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
      .Reservations?.[0]?.Instances?.[0];
    const isolation = (await playbookGroups()).find(
      (g) =>
        g.VpcId === after?.VpcId && g.Tags?.some((t) => t.Key === ISOLATION_TAG && t.Value === 'deny-all'),
    );
    expect(after?.SecurityGroups?.map((g) => g.GroupId)).toEqual([isolation?.GroupId]);
    // The page names the step it stopped at and links to what to do there in the runbook.
    const paged = h.sandbox.services.sns.published.find(
      (m) => m.message.includes(event.detail.id) && (m.subject ?? '').includes('needs a human'),
    );
    const anchor = 'stopped-at-detach-from-auto-scaling-group';
    expect(JSON.parse(paged?.message ?? '{}')).toMatchObject({
      stoppedAt: 'Detach from Auto Scaling group',
      runbook: `docs/runbooks/quarantine-instance.md#${anchor}`,
    });
    expect(
      readFileSync(
        path.resolve(import.meta.dirname, '../../../docs/runbooks/quarantine-instance.md'),
        'utf8',
      ),
    ).toContain(`<a id="${anchor}"></a>`);
  });

  it('when tagging is refused, records the evidence steps done before it, then ends in needs-human', async () => {
    const instanceId = await launchInSeededSubnet();
    const event = compromisedInstanceFinding('e1e1e1e1e1e1e1e1e1e1e1e1e1e1e106');
    event.detail.resource.instanceDetails.instanceId = instanceId;
    h.sandbox.server.faults.add({ service: 'ec2', operation: 'CreateTags', code: 'UnauthorizedOperation' });

    try {
      await h.put(event);
    } finally {
      h.sandbox.server.faults.clear();
    }

    // The evidence calls are audited in one step after the tag; stopped before it, the calls
    // that happened are still each recorded, before the needs-human record.
    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['IsolateNetworkInterfaces', 'succeeded'],
      ['RecordBeforeState', 'succeeded'],
      ['EnableTerminationProtection', 'succeeded'],
      ['SetShutdownBehaviorStop', 'succeeded'],
      ['KeepVolumesOnTermination', 'succeeded'],
      ['NeedsHuman', 'needs-human'],
    ]);
    const { ec2 } = h.sandbox.clients;
    const protection = await ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }),
    );
    expect(protection.DisableApiTermination?.Value).toBe(true);
    const paged = h.sandbox.services.sns.published.find(
      (m) => m.message.includes(event.detail.id) && (m.subject ?? '').includes('needs a human'),
    );
    expect(JSON.parse(paged?.message ?? '{}')).toMatchObject({ stoppedAt: 'Tag instance' });
  });
});
