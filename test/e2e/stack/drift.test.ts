import { GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateBucketCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
beforeAll(async () => {
  h = await startStack();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

let eventSerial = 0;
/** A fresh CloudTrail event id, so every event is a new finding. */
const newEventId = () => `0d1f7a00-0000-4000-8000-${String(++eventSerial).padStart(12, '0')}`;

const ingressRules = async (groupId: string) =>
  (
    await h.sandbox.clients.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    )
  ).SecurityGroupRules?.filter((r) => !r.IsEgress) ?? [];

/** Authorize one IPv4 rule the way a person would, and return its `sgr-` id. */
async function authorize(groupId: string, port: number, cidr: string): Promise<string> {
  const out = await h.sandbox.clients.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] }],
    }),
  );
  return out.SecurityGroupRules?.[0]?.SecurityGroupRuleId as string;
}

/** The CloudTrail record of that AuthorizeSecurityGroupIngress call, carrying the real rule id. */
function ingressEvent(groupId: string, ruleId: string) {
  const event = fixtureEvent('cloudtrail-authorize-sg-ingress-ssh-world.json');
  event.detail.eventID = newEventId();
  event.detail.requestParameters.groupId = groupId;
  event.detail.requestParameters.ipPermissions.items[0].ipv6Ranges = {};
  const [added] = event.detail.responseElements.securityGroupRuleSet.items;
  event.detail.responseElements.securityGroupRuleSet.items = [
    { ...added, groupId, securityGroupRuleId: ruleId },
  ];
  return event;
}

const calls = (operation: string) => h.sandbox.server.calls.filter((c) => c.operation === operation).length;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);

describe('revoke-open-ingress, end to end through the sandbox', () => {
  it('revokes exactly the world-open SSH rule the call added; the group keeps its 443 rule; verified', async () => {
    const { app } = h.account.securityGroups;
    const https = await authorize(app, 443, '0.0.0.0/0');
    const ssh = await authorize(app, 22, '0.0.0.0/0');
    const event = ingressEvent(app, ssh);

    await h.put(event);

    expect((await ingressRules(app)).map((r) => [r.SecurityGroupRuleId, r.FromPort])).toEqual([[https, 443]]);
    const trail = await h.history(event.detail.eventID);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['RevokeSecurityGroupIngress', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual([
      expect.objectContaining({ SecurityGroupRuleId: ssh, FromPort: 22, CidrIpv4: '0.0.0.0/0' }),
    ]);
  });

  it('records a rule that is already gone and ends without revoking anything', async () => {
    const { app } = h.account.securityGroups;
    const ssh = await authorize(app, 22, '0.0.0.0/0');
    await h.sandbox.clients.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: app, SecurityGroupRuleIds: [ssh] }),
    );
    const revokesBefore = calls('RevokeSecurityGroupIngress');
    const event = ingressEvent(app, ssh);

    await h.put(event);

    expect(calls('RevokeSecurityGroupIngress')).toBe(revokesBefore);
    const trail = await h.history(event.detail.eventID);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['RevokeSecurityGroupIngress', 'skipped'],
    ]);
    expect(JSON.parse(trail[1]?.details as string)).toMatchObject({
      count: 0,
      alreadyGone: [{ ruleId: ssh }],
    });
  });

  it('from Config restricted-ssh NON_COMPLIANT, revokes the group’s world-open SSH and keeps 443', async () => {
    const { web } = h.account.securityGroups;
    const event = fixtureEvent('config-restricted-ssh-non-compliant.json');
    event.detail.resourceId = web;
    const findingId = `restricted-ssh/AWS::EC2::SecurityGroup/${web}/${event.detail.newEvaluationResult.resultRecordedTime}`;

    await h.put(event);

    expect((await ingressRules(web)).map((r) => [r.FromPort, r.CidrIpv4])).toEqual([[443, '0.0.0.0/0']]);
    expect(await steps(findingId)).toEqual([
      ['classify', 'routed'],
      ['RevokeSecurityGroupIngress', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
  });

  it('in dry-run records the exact rules it would revoke and changes nothing', async () => {
    const { app } = h.account.securityGroups;
    const ssh = await authorize(app, 22, '0.0.0.0/0');
    const event = ingressEvent(app, ssh);
    const normalized = normalizeEvent(event);
    const finding = normalized.ok ? normalized.findings[0] : undefined;
    if (!finding) throw new Error('the fixture no longer normalizes');
    const revokesBefore = calls('RevokeSecurityGroupIngress');

    await h.sandbox.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: h.sandbox.deployment?.outputs.StateMachineRevokeOpenIngress,
        input: JSON.stringify({
          finding,
          decision: { playbook: 'revoke-open-ingress', mode: 'dry-run', ruleId: 'test', reason: 'dry run' },
          audit: {
            pk: findingKey(finding.id),
            resourceKey: resourceKey(finding.accountId, finding.resource),
          },
        }),
      }),
    );
    await h.sandbox.idle();

    expect(calls('RevokeSecurityGroupIngress')).toBe(revokesBefore);
    expect((await ingressRules(app)).map((r) => r.SecurityGroupRuleId)).toContain(ssh);
    const trail = await h.history(finding.id);
    expect(trail.map((r) => [r.action, r.outcome, r.mode])).toEqual([['Plan', 'planned', 'dry-run']]);
    expect(JSON.parse(trail[0]?.details as string)).toMatchObject({ ruleIds: [ssh], count: 1 });
  });
});

describe('restart-cloudtrail-logging, end to end through the sandbox', () => {
  const trailArn = () => `arn:aws:cloudtrail:us-east-1:111122223333:trail/${h.account.trail}`;
  const stopLogging = () => {
    const event = fixtureEvent('cloudtrail-stop-logging.json');
    event.detail.eventID = newEventId();
    event.detail.requestParameters.name = trailArn();
    return event;
  };
  const isLogging = async () =>
    (await h.sandbox.clients.cloudtrail.send(new GetTrailStatusCommand({ Name: h.account.trail }))).IsLogging;

  it('turns logging back on, records who stopped it, and verifies', async () => {
    expect(await isLogging()).toBe(false);
    const event = stopLogging();

    await h.put(event);

    expect(await isLogging()).toBe(true);
    const trail = await h.history(event.detail.eventID);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['StartLogging', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toMatchObject({ IsLogging: false });
    expect(JSON.parse(trail[1]?.details as string).stoppedBy).toEqual({
      principalArn: 'arn:aws:sts::111122223333:assumed-role/Developer/bob',
      userName: 'Developer',
      type: 'AssumedRole',
    });
    expect(JSON.parse(trail[2]?.after as string)).toMatchObject({ IsLogging: true });
  });

  it('a second StopLogging finding while the trail logs changes nothing', async () => {
    const startsBefore = calls('StartLogging');
    const event = stopLogging();

    await h.put(event);

    expect(calls('StartLogging')).toBe(startsBefore);
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['StartLogging', 'skipped'],
    ]);
  });
});

describe('block-bucket-public-access, end to end through the sandbox', () => {
  const publicPolicyEvent = (bucket: string) => {
    const event = fixtureEvent('cloudtrail-put-bucket-policy-public.json');
    event.detail.eventID = newEventId();
    event.detail.requestParameters.bucketName = bucket;
    event.detail.requestParameters.bucketPolicy.Statement[0].Resource = `arn:aws:s3:::${bucket}/*`;
    return event;
  };
  const blockOf = async (bucket: string) =>
    (await h.sandbox.clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))
      .PublicAccessBlockConfiguration;
  const allOn = {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  };

  it('after a public bucket policy, turns all four settings on, records "none" before, and verifies', async () => {
    const { bucket } = h.account;
    const event = publicPolicyEvent(bucket);
    await h.sandbox.clients.s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify(event.detail.requestParameters.bucketPolicy),
      }),
    );

    await h.put(event);

    expect(await blockOf(bucket)).toEqual(allOn);
    const status = await h.sandbox.clients.s3.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }));
    expect(status.PolicyStatus?.IsPublic).toBe(false);
    const trail = await h.history(event.detail.eventID);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['PutPublicAccessBlock', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual({ PublicAccessBlockConfiguration: 'none' });
  });

  it('records the previous configuration of a partly blocked bucket, and a second run changes nothing', async () => {
    const bucket = 'reports-111122223333';
    await h.sandbox.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const previous = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    };
    await h.sandbox.clients.s3.send(
      new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: previous }),
    );
    const first = publicPolicyEvent(bucket);

    await h.put(first);
    const putsAfterFirst = calls('PutPublicAccessBlock');
    const second = publicPolicyEvent(bucket);
    await h.put(second);

    expect(await blockOf(bucket)).toEqual(allOn);
    const trail = await h.history(first.detail.eventID);
    expect(JSON.parse(trail[1]?.before as string)).toEqual({ PublicAccessBlockConfiguration: previous });
    expect(calls('PutPublicAccessBlock')).toBe(putsAfterFirst);
    expect(await steps(second.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['PutPublicAccessBlock', 'skipped'],
    ]);
  });
  it('hands over to a human when S3 denies the read, rather than taking it for "no block"', async () => {
    const bucket = 'denied-111122223333';
    await h.sandbox.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    h.sandbox.server.faults.add({ service: 's3', operation: 'GetPublicAccessBlock', code: 'AccessDenied' });
    const putsBefore = calls('PutPublicAccessBlock');
    const event = publicPolicyEvent(bucket);

    try {
      await h.put(event);
    } finally {
      h.sandbox.server.faults.clear();
    }

    expect(calls('PutPublicAccessBlock')).toBe(putsBefore);
    const trail = await h.history(event.detail.eventID);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['NeedsHuman', 'needs-human'],
    ]);
    expect(JSON.parse(trail[1]?.details as string)).toMatchObject({
      Error: 'S3.AccessDeniedException',
    });
  });
});
