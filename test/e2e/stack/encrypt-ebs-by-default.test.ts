import {
  DescribeVolumesCommand,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { executionEnded } from './approval-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-ebs');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const encryptionByDefault = async () =>
  (await h.sandbox.clients.ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault;
const volumes = async () => (await h.sandbox.clients.ec2.send(new DescribeVolumesCommand({}))).Volumes;
const calls = (operation: string) => h.sandbox.server.calls.filter((c) => c.operation === operation).length;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);

/** Security Hub's EC2.7 control finding for the sandbox account, FAILED. */
function ec2Dot7Finding(suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/EC2.7/finding/0f1e2d3c-4b5a-4697-8877-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: 'security-control/EC2.7',
          AwsAccountId: '111122223333',
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: 'EBS default encryption should be enabled',
          Region: 'us-east-1',
          CreatedAt: '2026-11-22T12:06:02.311Z',
          UpdatedAt: '2026-11-22T12:06:02.311Z',
          Severity: { Label: 'MEDIUM' },
          Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: 'EC2.7' },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  // A control finding's id is its Id and UpdatedAt (shared/findings/securityhub.ts).
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}

describe('encrypt-ebs-by-default (Security Hub EC2.7), end to end through the sandbox', () => {
  it('turns the setting on, verified, leaves every volume as it was, and undo turns it off again', async () => {
    expect(await encryptionByDefault()).toBe(false);
    const volumesBefore = await volumes();
    const { event, id } = ec2Dot7Finding('000000000007');

    await h.put(event);

    expect(await encryptionByDefault()).toBe(true);
    expect(await volumes()).toEqual(volumesBefore);
    expect(calls('DisableEbsEncryptionByDefault')).toBe(0);
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['EnableEbsEncryptionByDefault', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toMatchObject({ EbsEncryptionByDefault: false });
    expect(JSON.parse(trail[2]?.after as string)).toMatchObject({ EbsEncryptionByDefault: true });

    const executionArn = trail.find((r) => r.actor.startsWith('playbook/'))?.executionArn as string;
    const { ended } = await desk.approved(id, { executionArn, reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');

    expect(await encryptionByDefault()).toBe(false);
    expect(await volumes()).toEqual(volumesBefore);
  });

  it('a second EC2.7 finding within the hour is the same remediation: recorded as a duplicate', async () => {
    const enables = calls('EnableEbsEncryptionByDefault');
    const { event, id } = ec2Dot7Finding('000000000071');

    await h.put(event);

    expect(calls('EnableEbsEncryptionByDefault')).toBe(enables);
    expect(await steps(id)).toEqual([['classify', 'duplicate']]);
  });

  it('started on a Region where the setting is already on, records that and changes nothing', async () => {
    await h.sandbox.clients.ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
    const enables = calls('EnableEbsEncryptionByDefault');
    const { event, id } = ec2Dot7Finding('000000000072');
    const normalized = normalizeEvent(event);
    const finding = normalized.ok ? normalized.findings[0] : undefined;
    if (!finding) throw new Error('the event no longer normalizes');

    const started = await h.sandbox.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: h.sandbox.deployment?.outputs.StateMachineEncryptEbsByDefault as string,
        input: JSON.stringify({
          finding,
          decision: {
            playbook: 'encrypt-ebs-by-default',
            mode: 'auto',
            ruleId: 'test',
            reason: 'test',
          },
          audit: {
            pk: findingKey(finding.id),
            resourceKey: resourceKey(finding.accountId, finding.resource),
          },
          target: { accountId: finding.accountId, region: finding.region },
        }),
      }),
    );
    expect((await executionEnded(h, started.executionArn as string)).status).toBe('SUCCEEDED');

    expect(calls('EnableEbsEncryptionByDefault')).toBe(enables);
    expect(await steps(id)).toEqual([['EnableEbsEncryptionByDefault', 'skipped']]);
  });
});
