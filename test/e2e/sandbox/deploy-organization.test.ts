import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeEventBusCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Deployment } from '#sandbox/deploy/deploy.ts';
import { Sandbox } from '#sandbox/index.ts';
import type { DeliveryRecord } from '#sandbox/services/events.ts';
import { MEMBER_A, MEMBER_B, ORG, ORG_ASSEMBLY, ORG_CONTEXT, SECURITY } from '../org/organization.ts';

/** An account that runs the member stack but is not (or no longer) in the organization. */
const OUTSIDER = '123456789012';
const ROOT = path.resolve(import.meta.dirname, '../../..');
const BUS = 'remediation-findings';

let sandbox: Sandbox;
const deliveries: DeliveryRecord[] = [];

/** The deployment of `stack` into `accountId` and `region`. */
function deployed(stack: string, accountId: string, region: string): Deployment {
  const found = sandbox.deployments.find(
    (d) => d.stackName === stack && d.accountId === accountId && d.region === region,
  );
  if (!found) throw new Error(`${stack} was not deployed into ${accountId} ${region}`);
  return found;
}

/** The classifier function of the security stack deployed in `region`. */
const classifier = (region: string) =>
  deployed('AutoRemediation', SECURITY, region).functions.find((f) => f.logicalId.startsWith('Classify'));

/** The CloudTrail event of a security group opened to the world, as it happens in `account` and `region`. */
function openIngressEvent(account: string, region: string) {
  const event = JSON.parse(
    readFileSync(
      path.join(ROOT, 'test/fixtures/events/cloudtrail-authorize-sg-ingress-ssh-world.json'),
      'utf8',
    ),
  );
  const text = JSON.stringify(event.detail)
    .replaceAll('111122223333', account)
    .replaceAll('"us-east-1"', `"${region}"`);
  return { Source: event.source, DetailType: event['detail-type'], Detail: text };
}

/** Put the event on the default bus of `account` in `region`, as CloudTrail does, and wait until all settled. */
async function happensIn(account: string, region: string): Promise<string> {
  const out = await sandbox
    .clientsFor(account, region)
    .events.send(new PutEventsCommand({ Entries: [openIngressEvent(account, region)] }));
  expect(out.FailedEntryCount).toBe(0);
  await sandbox.idle();
  return out.Entries?.[0]?.EventId as string;
}

beforeAll(async () => {
  sandbox = await Sandbox.start({
    port: 0,
    timeScale: 0.001,
    // The organization's one assembly, synthesized once by the global setup with this context.
    assemblyDir: ORG_ASSEMBLY,
    context: ORG_CONTEXT,
    deployments: [
      { stack: 'AutoRemediation', accountId: SECURITY, region: 'us-east-1' },
      { stack: 'AutoRemediation', accountId: SECURITY, region: 'eu-west-1' },
      { stack: 'AutoRemediationMember', accountId: MEMBER_A, region: 'us-east-1' },
      { stack: 'AutoRemediationMemberRegion', accountId: MEMBER_A, region: 'eu-west-1' },
      { stack: 'AutoRemediationMember', accountId: MEMBER_B, region: 'us-east-1' },
      { stack: 'AutoRemediationMember', accountId: OUTSIDER, region: 'us-east-1' },
    ],
  });
  sandbox.server.organizations.add(ORG, [SECURITY, MEMBER_A, MEMBER_B]);
  sandbox.services.events.onDelivered((record) => deliveries.push(record));
}, 180_000);
afterAll(() => sandbox?.stop());

describe('an organization deployed into the sandbox', () => {
  it('gives each member account its execution role, trusting the security account inside the organization', async () => {
    for (const member of [MEMBER_A, MEMBER_B]) {
      const iam = sandbox.clientsFor(member).iam;
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'RemediationExecutionRole' }));
      expect(Role?.Arn).toBe(`arn:aws:iam::${member}:role/RemediationExecutionRole`);
      const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''));
      expect(trust.Statement).toEqual([
        expect.objectContaining({
          Action: 'sts:AssumeRole',
          Principal: { AWS: `arn:aws:iam::${SECURITY}:root` },
          Condition: expect.objectContaining({ StringEquals: { 'aws:PrincipalOrgID': ORG } }),
        }),
      ]);
      const { PolicyNames = [] } = await iam.send(
        new ListRolePoliciesCommand({ RoleName: 'RemediationExecutionRole' }),
      );
      expect(PolicyNames).toHaveLength(1);
      const policy = await iam.send(
        new GetRolePolicyCommand({ RoleName: 'RemediationExecutionRole', PolicyName: PolicyNames[0] }),
      );
      // IAM action names are case-insensitive; the playbooks' SDK integrations spell them in camelCase.
      const actions = JSON.parse(decodeURIComponent(policy.PolicyDocument ?? ''))
        .Statement.flatMap((s: { Action: string | string[] }) => s.Action)
        .map((action: string) => action.toLowerCase());
      expect(actions).toEqual(
        expect.arrayContaining(['iam:updateaccesskey', 'ec2:revokesecuritygroupingress']),
      );
    }
    // The security account has no execution role of its own: it runs the playbooks.
    await expect(
      sandbox.clients.iam.send(new GetRoleCommand({ RoleName: 'RemediationExecutionRole' })),
    ).rejects.toThrow(/cannot be found/);
  });

  it('gives the security account one role per playbook and region', async () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const roleName = `remediation-playbook-disable-access-key-${region}`;
      const { Role } = await sandbox.clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
      expect(Role?.Arn).toBe(`arn:aws:iam::${SECURITY}:role/${roleName}`);
      const { PolicyNames } = await sandbox.clients.iam.send(
        new ListRolePoliciesCommand({ RoleName: roleName }),
      );
      expect(PolicyNames?.length).toBeGreaterThan(0);
    }
  });

  it('creates the organization bus in each security region, open to the organization only', async () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const bus = await sandbox
        .clientsFor(SECURITY, region)
        .events.send(new DescribeEventBusCommand({ Name: BUS }));
      expect(bus.Arn).toBe(`arn:aws:events:${region}:${SECURITY}:event-bus/${BUS}`);
      expect(JSON.parse(bus.Policy ?? '{}').Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Principal: { AWS: '*' },
          Resource: bus.Arn,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
        }),
      ]);
    }
    await expect(
      sandbox.clientsFor(MEMBER_A).events.send(new DescribeEventBusCommand({ Name: BUS })),
    ).rejects.toThrow(/does not exist/);
  });

  it("deploys the eu-west-1 security stack apart from us-east-1's", () => {
    const [home, europe] = ['us-east-1', 'eu-west-1'].map((r) => deployed('AutoRemediation', SECURITY, r));
    const names = (d?: Deployment) => [...(d?.tables ?? []), ...(d?.functions ?? [])].map((r) => r.name);
    expect(names(europe).filter((name) => names(home).includes(name))).toEqual([]);
    expect(classifier('eu-west-1')?.arn).toMatch(/^arn:aws:lambda:eu-west-1:111122223333:function:/);
    // Playbooks keep their fixed names in every region; their ARNs are the region's own.
    const playbook = (d?: Deployment) =>
      d?.stateMachines.find((m) => m.name === 'remediation-disable-access-key');
    expect(playbook(home)?.arn).toBe(
      `arn:aws:states:us-east-1:${SECURITY}:stateMachine:remediation-disable-access-key`,
    );
    expect(playbook(europe)?.arn).toBe(
      `arn:aws:states:eu-west-1:${SECURITY}:stateMachine:remediation-disable-access-key`,
    );
    expect(europe?.stateMachines.every((m) => m.arn.startsWith('arn:aws:states:eu-west-1:'))).toBe(true);
  });

  it("forwards a member's CloudTrail event to the security bus of its region, where the classifier takes it", async () => {
    deliveries.length = 0;
    const callsBefore = sandbox.server.calls.length;
    const eventId = await happensIn(MEMBER_A, 'us-east-1');

    const forwarded = deliveries.find(
      (d) => d.event.id === eventId && d.target.arn === classifier('us-east-1')?.arn,
    );
    expect(forwarded?.rule.eventBusName).toBe(BUS);
    expect(forwarded?.rule.accountId).toBe(SECURITY);
    // The event keeps where it happened: the member account and its region.
    expect(forwarded?.event).toMatchObject({ account: MEMBER_A, region: 'us-east-1', source: 'aws.ec2' });
    expect(deliveries.filter((d) => d.target.arn === classifier('eu-west-1')?.arn)).toEqual([]);
    // The classifier started the playbook in the security account, in the region of the finding.
    const started = sandbox.server.calls
      .slice(callsBefore)
      .filter((c) => c.service === 'states' && c.operation === 'StartExecution');
    expect(started.map((c) => [c.accountId, c.region, c.status])).toContainEqual([
      SECURITY,
      'us-east-1',
      200,
    ]);
  });

  it("forwards a member's eu-west-1 event to the eu-west-1 security stack", async () => {
    deliveries.length = 0;
    const eventId = await happensIn(MEMBER_A, 'eu-west-1');

    const forwarded = deliveries.find(
      (d) => d.event.id === eventId && d.target.arn === classifier('eu-west-1')?.arn,
    );
    expect(forwarded?.event).toMatchObject({ account: MEMBER_A, region: 'eu-west-1' });
    expect(forwarded?.rule.region).toBe('eu-west-1');
    expect(deliveries.filter((d) => d.target.arn === classifier('us-east-1')?.arn)).toEqual([]);
  });

  it('refuses events from an account outside the organization: they land in its forwarding DLQ', async () => {
    deliveries.length = 0;
    const eventId = await happensIn(OUTSIDER, 'us-east-1');

    expect(deliveries.filter((d) => d.event.id === eventId && d.rule.accountId === SECURITY)).toEqual([]);
    const dlq = [...deployed('AutoRemediationMember', OUTSIDER, 'us-east-1').resources.values()].find(
      (r) => r.type === 'AWS::SQS::Queue' && r.logicalId.startsWith('ForwardingDlq'),
    );
    const sqs = sandbox.clientsFor(OUTSIDER).sqs;
    const messages = await vi.waitFor(async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq?.ref, MaxNumberOfMessages: 10 }));
      expect(out.Messages?.length).toBeGreaterThan(0);
      return out.Messages ?? [];
    });
    const letter = JSON.parse(messages[0]?.Body ?? '{}');
    expect(letter.error).toMatch(/AccessDenied|not authorized/);
    expect(letter.event).toMatchObject({ id: eventId, account: OUTSIDER });
  });
});
