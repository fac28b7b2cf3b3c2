import { describe, expect, it } from 'vitest';
import { riskFromRead, riskLines } from '#shared/approvals/risk.ts';

const now = new Date('2026-12-06T06:00:00Z');
const withPolicy = (Policy: string) => ({ kind: 'SnsTopic', read: { Attributes: { Policy } } });

describe('the risk of encrypting an SNS topic with the AWS managed key', () => {
  it('names the AWS services the topic policy lets publish, and always warns', () => {
    const policy = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
          Action: 'sns:Publish',
        },
        { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: ['sns:Subscribe'] },
        { Effect: 'Deny', Principal: { Service: 'budgets.amazonaws.com' }, Action: 'sns:Publish' },
        { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'SNS:Publish' },
      ],
    });

    const lines = riskLines(
      riskFromRead(withPolicy(policy)) as NonNullable<ReturnType<typeof riskFromRead>>,
      now,
    );

    expect(lines[0]).toContain('AWS managed key (alias/aws/sns)');
    expect(lines[1]).toContain('cloudwatch.amazonaws.com, events.amazonaws.com');
    expect(lines[1]).not.toContain('s3.amazonaws.com');
    expect(lines[1]).not.toContain('budgets');
  });

  it('reads a topic without a policy, or with one that is not JSON, as no service publisher', () => {
    for (const read of [{ kind: 'SnsTopic', read: { Attributes: {} } }, withPolicy('{not json')]) {
      const risk = riskFromRead(read);
      expect(risk).toEqual({ kind: 'SnsTopic', servicePublishers: [] });
      expect(riskLines(risk as NonNullable<typeof risk>, now)[1]).toBe(
        'Its topic policy lets no AWS service publish to it.',
      );
    }
  });

  it('says the policy could not be read when the read failed', () => {
    const risk = riskFromRead({
      kind: 'SnsTopic',
      error: { Error: 'Sns.AuthorizationErrorException', Cause: 'denied' },
    });
    expect(riskLines(risk as NonNullable<typeof risk>, now)[1]).toContain(
      'could not be read: Sns.AuthorizationErrorException',
    );
  });
});
