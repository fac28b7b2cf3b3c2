import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AttachInstancesCommand, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTrailCommand, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  AssociateIamInstanceProfileCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import type { FaultSpec } from '#sandbox/faults.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { playbookNames } from '#statemachines/registry.ts';
import { approvalNotice } from '../e2e/stack/approval-helpers.ts';
import { fixtureEvent, leakedKeyFinding, type StackHarness } from '../e2e/stack/harness.ts';

/** One mutating AWS call a playbook makes, as the sandbox names it (signing name, API operation). */
export interface MutatingCall {
  readonly service: string;
  readonly operation: string;
}

/** The four faults every mutating call is crossed with. */
export type FaultKind = 'throttled once' | '5xx twice' | 'AccessDenied always' | '2 s latency';
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttled once',
  '5xx twice',
  'AccessDenied always',
  '2 s latency',
];

/** Step Functions' SDK service names → the sandbox's (SigV4 signing) service names. */
const SIGNING_NAME: Record<string, string> = {
  elasticloadbalancingv2: 'elasticloadbalancing',
  sfn: 'states',
};
const READS = /^(describe|get|list)/i;

/**
 * Every mutating call of every playbook, read from the synthesized state machine definitions, so
 * a call a playbook gains joins the matrix by itself. SDK integrations whose action is not a
 * read, plus the optimized DynamoDB PutItem (audit records, claims) and SNS Publish.
 */
export function mutatingCallsByPlaybook(assemblyDir: string): Record<string, MutatingCall[]> {
  const template = JSON.parse(
    readFileSync(path.join(assemblyDir, 'AutoRemediation.template.json'), 'utf8'),
  ) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const result: Record<string, MutatingCall[]> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const playbook = /^Playbook(.+?)StateMachine/.exec(id)?.[1];
    if (!playbook) continue;
    const text = JSON.stringify(resource.Properties.DefinitionString);
    const found = new Map<string, MutatingCall>();
    for (const [, sdk, service = '', action = ''] of text.matchAll(
      /:states:::(aws-sdk:)?([a-z0-9]+):([A-Za-z0-9]+)/g,
    )) {
      if (READS.test(action)) continue;
      if (!sdk && !['dynamodb:putItem', 'sns:publish'].includes(`${service}:${action}`)) continue;
      const call = {
        service: SIGNING_NAME[service] ?? service,
        operation: action.charAt(0).toUpperCase() + action.slice(1),
      };
      found.set(`${call.service}:${call.operation}`, call);
    }
    result[playbook] = [...found.values()];
  }
  return result;
}

const THROTTLING: Record<string, string> = {
  ec2: 'RequestLimitExceeded',
  s3: 'SlowDown',
  sns: 'Throttled',
  dynamodb: 'ThrottlingException',
  cloudtrail: 'ThrottlingException',
  states: 'ThrottlingException',
};
const SERVER_ERROR: Record<string, string> = {
  iam: 'ServiceFailure',
  ec2: 'InternalError',
  s3: 'InternalError',
  sns: 'InternalError',
  dynamodb: 'InternalServerError',
  cloudtrail: 'InternalServerError',
};

/** The sandbox fault of one cell, with the error codes the service itself answers. */
export function faultFor(call: MutatingCall, kind: FaultKind, latencyMs: number): FaultSpec {
  // DynamoDB PutItem: the playbook's own audit records (actor `playbook/…`), not the classifier's.
  const base = {
    service: call.service,
    operation: call.operation,
    ...(call.service === 'dynamodb' && { bodyIncludes: 'playbook/' }),
    // StartExecution: the hand-over to the follow-up, not the classifier starting the playbook.
    ...(call.service === 'states' && { bodyIncludes: '"name":"snapshot-and-reimage-' }),
  };
  switch (kind) {
    case 'throttled once':
      return { ...base, code: THROTTLING[call.service] ?? 'Throttling', times: 1 };
    case '5xx twice':
      return { ...base, code: SERVER_ERROR[call.service] ?? 'InternalFailure', times: 2 };
    case 'AccessDenied always':
      return { ...base, code: call.service === 'ec2' ? 'UnauthorizedOperation' : 'AccessDenied' };
    case '2 s latency':
      return { ...base, latencyMs, times: 1 };
  }
}

/** A finding ready to send, and what the runner needs to follow it. */
interface Prepared {
  readonly findingId: string;
  /** Sent on the bus (classify routes it), or started directly (a follow-up playbook). */
  readonly event?: { source: string; 'detail-type': string; detail: Record<string, any> };
  readonly start?: () => Promise<string>;
  /** The playbook waits at an approval gate the runner answers. */
  readonly approve?: boolean;
}

let serial = 0;
const next = () => String(++serial).padStart(6, '0');

/** A fresh target per cell, so no cell sees another's changes. */
export const PREPARE: Record<string, (h: StackHarness) => Promise<Prepared>> = {
  revokerolesessions: async (h) => {
    const roleName = `fm-role-${next()}`;
    await h.sandbox.clients.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const findingId = `fr${next()}${'0'.repeat(24)}`;
    // GuardDuty's finding on a role's temporary credentials: the role by name, an ASIA key id.
    const event = leakedKeyFinding('ASIAIOSFODNN7EXAMPLE', roleName, findingId);
    event.detail.type = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS';
    event.detail.resource.accessKeyDetails.userType = 'AssumedRole';
    return { findingId, event, approve: true };
  },
  disableaccesskey: async (h) => {
    const userName = `fm-user-${next()}`;
    await h.sandbox.clients.iam.send(new CreateUserCommand({ UserName: userName }));
    const key = await h.sandbox.clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    const findingId = `fa${next()}${'0'.repeat(24)}`;
    return { findingId, event: leakedKeyFinding(key.AccessKey?.AccessKeyId as string, userName, findingId) };
  },
  quarantineinstance: async (h) => {
    const { ec2, iam, autoscaling, elbv2 } = h.sandbox.clients;
    const n = next();
    // Its own VPC, so the isolation groups are created (not found) in every cell.
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16' }))).Vpc?.VpcId as string;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.42.1.0/24' })))
      .Subnet?.SubnetId as string;
    const group = async (name: string) =>
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: `${name}-${n}`, Description: name, VpcId: vpcId }),
        )
      ).GroupId as string;
    const [web, app] = [await group('web'), await group('app')];
    const instanceId = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-0abcdef1234567890',
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: subnetId, Groups: [web] },
            { DeviceIndex: 1, SubnetId: subnetId, Groups: [app] },
          ],
        }),
      )
    ).Instances?.[0]?.InstanceId as string;
    const roleName = `fm-role-${n}`;
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const profile = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: roleName }));
    await iam.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: roleName, RoleName: roleName }),
    );
    await ec2.send(
      new AssociateIamInstanceProfileCommand({
        InstanceId: instanceId,
        IamInstanceProfile: { Arn: profile.InstanceProfile?.Arn as string },
      }),
    );
    const asg = `fm-asg-${n}`;
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: asg,
        MinSize: 0,
        MaxSize: 3,
        DesiredCapacity: 0,
        InstanceId: instanceId,
        VPCZoneIdentifier: subnetId,
      }),
    );
    await autoscaling.send(
      new AttachInstancesCommand({ AutoScalingGroupName: asg, InstanceIds: [instanceId] }),
    );
    const tg = (
      await elbv2.send(
        new CreateTargetGroupCommand({ Name: `fm-${n}`, Protocol: 'HTTPS', Port: 443, VpcId: vpcId }),
      )
    ).TargetGroups?.[0]?.TargetGroupArn as string;
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: instanceId }] }));
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = `fb${n}${'0'.repeat(24)}`;
    event.detail.resource.instanceDetails.instanceId = instanceId;
    return { findingId: event.detail.id, event };
  },
  snapshotandreimage: async (h) => {
    // Started as the quarantine hands it over, on the seeded instance; approved by the runner.
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = `fc${next()}${'0'.repeat(24)}`;
    event.detail.resource.instanceDetails.instanceId = h.account.instance.id;
    const normalized = normalizeEvent(event);
    if (!normalized.ok) throw normalized.error;
    const finding = normalized.findings[0]!;
    const input = {
      finding,
      decision: {
        playbook: 'snapshot-and-reimage',
        mode: 'approve',
        ruleId: 'fault-matrix',
        reason: 'fault matrix',
        approval: { timeoutMinutes: 60, timeoutSeconds: 3600, onTimeout: 'abandon' },
      },
      audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
      target: { accountId: finding.accountId, region: finding.region },
    };
    return {
      findingId: finding.id,
      approve: true,
      start: async () =>
        (
          await h.sandbox.clients.sfn.send(
            new StartExecutionCommand({
              stateMachineArn: h.sandbox.deployment?.outputs.StateMachineSnapshotAndReimage as string,
              name: `fault-${finding.id}`,
              input: JSON.stringify(input),
            }),
          )
        ).executionArn as string,
    };
  },
  revokeopeningress: async (h) => {
    const { ec2 } = h.sandbox.clients;
    const groupId = (
      await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `fm-open-${next()}`,
          Description: 'open',
          VpcId: h.account.vpcs[0],
        }),
      )
    ).GroupId as string;
    const ruleId = (
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      )
    ).SecurityGroupRules?.[0]?.SecurityGroupRuleId as string;
    const event = fixtureEvent('cloudtrail-authorize-sg-ingress-ssh-world.json');
    event.detail.eventID = `0fa17000-0000-4000-8000-${next().padStart(12, '0')}`;
    event.detail.requestParameters.groupId = groupId;
    event.detail.requestParameters.ipPermissions.items[0].ipv6Ranges = {};
    const [added] = event.detail.responseElements.securityGroupRuleSet.items;
    event.detail.responseElements.securityGroupRuleSet.items = [
      { ...added, groupId, securityGroupRuleId: ruleId },
    ];
    return { findingId: event.detail.eventID, event };
  },
  restartcloudtraillogging: async (h) => {
    const { cloudtrail } = h.sandbox.clients;
    const name = `fm-trail-${next()}`;
    await cloudtrail.send(new CreateTrailCommand({ Name: name, S3BucketName: h.account.bucket }));
    await cloudtrail.send(new StartLoggingCommand({ Name: name }));
    await cloudtrail.send(new StopLoggingCommand({ Name: name }));
    const event = fixtureEvent('cloudtrail-stop-logging.json');
    event.detail.eventID = `0fa27000-0000-4000-8000-${next().padStart(12, '0')}`;
    event.detail.requestParameters.name = `arn:aws:cloudtrail:us-east-1:111122223333:trail/${name}`;
    return { findingId: event.detail.eventID, event };
  },
  blockbucketpublicaccess: async (h) => {
    const bucket = `fm-bucket-${next()}`;
    await h.sandbox.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const event = fixtureEvent('cloudtrail-put-bucket-policy-public.json');
    event.detail.eventID = `0fa37000-0000-4000-8000-${next().padStart(12, '0')}`;
    event.detail.requestParameters.bucketName = bucket;
    event.detail.requestParameters.bucketPolicy.Statement[0].Resource = `arn:aws:s3:::${bucket}/*`;
    return { findingId: event.detail.eventID, event };
  },
};

/** Why a playbook is left out of the matrix: each has its own end-to-end tests meanwhile. */
const NOT_PREPARED_YET = 'not prepared yet: a known gap, covered meanwhile by its end-to-end test';
const ONE_PER_ACCOUNT =
  'one setting per account (or per account and Region): cells could not each have a fresh target';

/**
 * The registered playbooks the matrix leaves out, by registry name, each with the reason. A
 * registered playbook is in `PREPARE` or here (test/reliability/fault-matrix.test.ts), so a new one
 * without a prepared target fails there instead of being left out silently.
 */
export const UNPREPARED: Readonly<Record<string, string>> = {
  'block-account-public-access': ONE_PER_ACCOUNT,
  'close-default-security-group': NOT_PREPARED_YET,
  'contain-ecs-task': NOT_PREPARED_YET,
  'contain-lambda-function': NOT_PREPARED_YET,
  'deactivate-trusted-ip-list': NOT_PREPARED_YET,
  'deny-threat-object-reads': NOT_PREPARED_YET,
  'disable-subnet-public-ip': NOT_PREPARED_YET,
  'enable-key-rotation': NOT_PREPARED_YET,
  'encrypt-ebs-by-default': ONE_PER_ACCOUNT,
  'encrypt-sns-topic': NOT_PREPARED_YET,
  'encrypt-sqs-queue': NOT_PREPARED_YET,
  'protect-db-cluster': NOT_PREPARED_YET,
  'protect-db-instance': NOT_PREPARED_YET,
  'protect-dynamodb-table': NOT_PREPARED_YET,
  'recreate-flow-logs': NOT_PREPARED_YET,
  'reenable-guardduty': ONE_PER_ACCOUNT,
  'remove-public-lambda-access': NOT_PREPARED_YET,
  'require-bucket-ssl': NOT_PREPARED_YET,
  'require-imdsv2': NOT_PREPARED_YET,
  'restart-config-recorder': ONE_PER_ACCOUNT,
  'restore-trail-settings': NOT_PREPARED_YET,
  'revoke-outside-sharing': NOT_PREPARED_YET,
  'set-password-policy': ONE_PER_ACCOUNT,
};

/** What one run ended as. */
export interface CellResult {
  /** SUCCEEDED, FAILED (NeedsHuman), … */
  readonly status: string;
  readonly error?: string;
  /** The playbook's audit records, `action:outcome`, in order. */
  readonly trail: string[];
  /** How many times the sandbox received the faulted call. */
  readonly attempts: number;
  /** A needs-a-human notification was published for the finding. */
  readonly notified: boolean;
  /** The playbook execution, when one started. */
  readonly executionArn?: string;
}

/** Run one finding through the deployed stack with `fault` injected (none for the baseline). */
export async function runCell(
  h: StackHarness,
  playbook: string,
  call: MutatingCall | undefined,
  fault: FaultSpec | undefined,
  approver: ApprovalsClient,
): Promise<CellResult> {
  const prepared = await PREPARE[playbook]!(h);
  const from = h.sandbox.server.calls.length;
  const publishedBefore = h.sandbox.services.sns.published.length;
  if (fault) h.sandbox.server.faults.add(fault);
  let startedArn: string | undefined;
  try {
    if (prepared.event) await h.put(prepared.event);
    else startedArn = await prepared.start?.();
    await h.sandbox.idle();
    if (prepared.approve) {
      const notice = approvalNotice(h, prepared.findingId);
      if (notice) {
        await approver.decide(notice.approvalId, 'approve', 'fault matrix');
        await h.sandbox.idle();
      }
    }
  } finally {
    h.sandbox.server.faults.clear();
  }
  const history = await h.history(prepared.findingId);
  const records = history.filter((r) => r.playbook === playbookName(playbook) || r.action === 'NeedsHuman');
  // The execution: as started here, or as the classifier's `routed` record names it.
  const executionArn =
    startedArn ?? history.find((r) => r.action === 'classify' && r.executionArn)?.executionArn;
  const execution = executionArn
    ? await h.sandbox.clients.sfn.send(new DescribeExecutionCommand({ executionArn }))
    : undefined;
  const published = h.sandbox.services.sns.published.slice(publishedBefore);
  return {
    status: execution?.status ?? 'NOT STARTED',
    error: execution?.error,
    trail: records.filter((r) => r.action !== 'classify').map((r) => `${r.action}:${r.outcome}`),
    attempts: call
      ? h.sandbox.server.calls
          .slice(from)
          .filter((c) => c.service === call.service && c.operation === call.operation).length
      : 0,
    notified: published.some(
      (m) => (m.subject ?? '').includes('needs a human') && m.message.includes(prepared.findingId),
    ),
    executionArn,
  };
}

/** `quarantineinstance` → `quarantine-instance`: the registered playbook of a state machine's id. */
export function playbookName(id: string): string {
  return playbookNames.find((n) => n.replaceAll('-', '') === id) ?? id;
}

/** Whether a cell ended as the matrix expects, and why not. */
export function judge(
  kind: FaultKind,
  call: MutatingCall,
  baseline: CellResult,
  result: CellResult,
): { ok: boolean; expected: string; reason?: string } {
  if (result.attempts === 0) return { ok: true, expected: 'not reached in this scenario' };
  if (kind !== 'AccessDenied always') {
    const same = result.status === 'SUCCEEDED' && result.trail.join() === baseline.trail.join();
    return same
      ? { ok: true, expected: 'succeeds after retry, same audit trail' }
      : {
          ok: false,
          expected: 'succeeds after retry',
          reason: `${result.status} ${result.error ?? ''} trail ${result.trail.join(' > ')}`,
        };
  }
  const last = result.trail.at(-1);
  const before = result.trail.slice(0, -1);
  const prefix = before.every((step, i) => baseline.trail[i] === step);
  // Denied the audit trail, the playbook still pages; denied the topic, it still records.
  const canNotify = call.service !== 'sns';
  const canRecord = call.service !== 'dynamodb';
  const ok =
    result.status === 'FAILED' &&
    (!canRecord || (last === 'NeedsHuman:needs-human' && prefix)) &&
    (!canNotify || result.notified);
  const expected = !canRecord
    ? 'needs-human, notified (the trail itself refused)'
    : !canNotify
      ? 'needs-human recorded (the topic itself refused)'
      : 'needs-human, notified, earlier steps audited';
  return ok
    ? { ok, expected }
    : {
        ok,
        expected: 'needs-human with a notification',
        reason: `${result.status} ${result.error ?? ''} notified=${result.notified} trail ${result.trail.join(' > ')}`,
      };
}
