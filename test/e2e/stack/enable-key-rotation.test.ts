import { CreateKeyCommand, DescribeKeyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-kms');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const kms = () => h.sandbox.clients.kms;
const createKey = async (KeySpec?: 'HMAC_256', KeyUsage?: 'GENERATE_VERIFY_MAC') =>
  (await kms().send(new CreateKeyCommand({ Description: 'orders data', KeySpec, KeyUsage }))).KeyMetadata
    ?.Arn as string;
const rotation = async (KeyId: string) => await kms().send(new GetKeyRotationStatusCommand({ KeyId }));
const keyMetadata = async (KeyId: string) =>
  (await kms().send(new DescribeKeyCommand({ KeyId }))).KeyMetadata;

/** Security Hub's KMS.4 control finding about the key `keyArn`, FAILED. */
function kmsDot4Finding(keyArn: string, suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/KMS.4/finding/0f1e2d3c-4b5a-4697-8877-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: 'security-control/KMS.4',
          AwsAccountId: '111122223333',
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: 'AWS KMS key rotation should be enabled',
          Region: 'us-east-1',
          CreatedAt: '2026-11-22T12:06:02.311Z',
          UpdatedAt: '2026-11-22T12:06:02.311Z',
          Severity: { Label: 'MEDIUM' },
          Resources: [{ Type: 'AwsKmsKey', Id: keyArn, Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: 'KMS.4' },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  // A control finding's id is its Id and UpdatedAt (shared/findings/securityhub.ts).
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}

describe('enable-key-rotation (Security Hub KMS.4), end to end through the sandbox', () => {
  it('turns rotation on for that key only, verified, and undo turns it off again', async () => {
    const key = await createKey();
    const other = await createKey();
    const keyBefore = await keyMetadata(key);
    const { event, id } = kmsDot4Finding(key, '000000000004');

    await h.put(event);

    expect(await rotation(key)).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expect((await rotation(other)).KeyRotationEnabled).toBe(false);
    expect(await keyMetadata(key)).toEqual(keyBefore);
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['EnableKeyRotation', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toMatchObject({ KeyRotationEnabled: false });

    const executionArn = trail.find((r) => r.actor.startsWith('playbook/'))?.executionArn as string;
    const { ended } = await desk.approved(id, { executionArn, reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');

    expect((await rotation(key)).KeyRotationEnabled).toBe(false);
    expect(await keyMetadata(key)).toEqual(keyBefore);
  });

  it('a key KMS cannot rotate (HMAC) goes to a person, unchanged', async () => {
    const key = await createKey('HMAC_256', 'GENERATE_VERIFY_MAC');
    const { event, id } = kmsDot4Finding(key, '000000000040');

    await h.put(event);

    expect((await rotation(key)).KeyRotationEnabled).toBe(false);
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['NeedsHuman', 'needs-human'],
    ]);
    expect(JSON.stringify(trail[1])).toContain('Kms.UnsupportedOperationException');
  });
});
