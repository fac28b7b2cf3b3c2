import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  claimPostureRemediation,
  isPostureFinding,
  POSTURE_WINDOW_MINUTES,
  settingFixed,
} from '#functions/classify/posture-claim.ts';
import { makeFinding } from '../policy/make-finding.ts';

const dynamodb = mockClient(DynamoDBClient);
afterEach(() => dynamodb.reset());

const deps = () => ({ dynamodb: new DynamoDBClient({ region: 'us-east-1' }), counterTable: 'counters' });
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('posture claim: one remediation per resource and playbook within the window', () => {
  it('claims with one conditional write that admits no claim, an expired one, or this execution', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});

    const claim = await claimPostureRemediation(deps(), 'revoke-open-ingress', 'RESOURCE#g', 'exec-1', NOW);

    expect(claim).toEqual({ claimed: true });
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ pk: { S: 'posture#revoke-open-ingress#RESOURCE#g' } });
    expect(input?.ConditionExpression).toBe(
      'attribute_not_exists(claimedAt) OR claimedAt < :cutoff OR holder = :name',
    );
    expect(input?.ExpressionAttributeValues?.[':cutoff']).toEqual({
      N: String(NOW - POSTURE_WINDOW_MINUTES * 60_000),
    });
  });

  it('names the execution that holds the claim when another report comes within the window', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    dynamodb.on(GetItemCommand).resolves({
      Item: { holder: { S: 'exec-config' }, claimedAt: { N: String(NOW - 60_000) } },
    });

    const claim = await claimPostureRemediation(deps(), 'revoke-open-ingress', 'RESOURCE#g', 'exec-hub', NOW);

    expect(claim).toEqual({ claimed: false, heldBy: 'exec-config', since: '2026-11-23T11:59:00.000Z' });
  });

  it('lets any other failure through, so the event is retried rather than dropped', async () => {
    dynamodb.on(UpdateItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    await expect(
      claimPostureRemediation(deps(), 'revoke-open-ingress', 'RESOURCE#g', 'exec-1', NOW),
    ).rejects.toThrow('ProvisionedThroughputExceededException');
  });

  it('treats AWS Config and Security Hub control findings as posture, CloudTrail and GuardDuty as events', () => {
    expect(isPostureFinding(makeFinding({ source: 'config' }))).toBe(true);
    expect(isPostureFinding(makeFinding({ source: 'securityhub', control: 'EC2.13' }))).toBe(true);
    expect(isPostureFinding(makeFinding({ source: 'securityhub' }))).toBe(false);
    expect(isPostureFinding(makeFinding({ source: 'cloudtrail' }))).toBe(false);
    expect(isPostureFinding(makeFinding())).toBe(false);
  });

  it('claims each setting of one DB instance apart, so a second RDS control is not a duplicate of the first', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const onInstance = (control: string) =>
      makeFinding({
        source: 'securityhub',
        control,
        resource: { kind: 'Other', type: 'AwsRdsDbInstance', id: 'orders-db' },
      });

    for (const control of ['RDS.2', 'RDS.13']) {
      const setting = settingFixed('protect-db-instance', onInstance(control));
      await claimPostureRemediation(
        deps(),
        'protect-db-instance',
        'RESOURCE#db',
        `exec-${control}`,
        NOW,
        setting,
      );
    }

    const keys = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.Key?.pk?.S);
    expect(keys).toEqual([
      'posture#protect-db-instance/PubliclyAccessible#RESOURCE#db',
      'posture#protect-db-instance/AutoMinorVersionUpgrade#RESOURCE#db',
    ]);
    // A playbook that fixes all of its resource in one run keeps one claim for every control.
    expect(
      settingFixed('set-password-policy', makeFinding({ source: 'securityhub', control: 'IAM.7' })),
    ).toBeUndefined();
    // A finding without a control (an AWS Config rule) names no setting: the whole resource.
    expect(settingFixed('protect-db-instance', makeFinding({ source: 'config' }))).toBeUndefined();
  });
});
