import { describe, expect, it } from 'vitest';
import {
  InvalidBucketPolicyError,
  planSslOnly,
  SSL_ONLY_SID,
} from '#shared/bucket-policy/ssl-only-policy.ts';

const bucket = 'orders-111122223333';
const reader = {
  Sid: 'Reader',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:role/reports' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${bucket}/*`,
};
const tlsDeny = (extra: object = {}) => ({
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  ...extra,
});

describe('planSslOnly', () => {
  it('adds the one statement after every existing statement, which stay exactly as they were', () => {
    const policy = { Version: '2012-10-17', Id: 'orders', Statement: [reader] };
    const plan = planSslOnly({ bucket, policy: JSON.stringify(policy) });
    expect(plan.present).toBe(false);
    expect(JSON.parse(plan.policy as string)).toEqual({
      Version: '2012-10-17',
      Id: 'orders',
      Statement: [reader, { Sid: SSL_ONLY_SID, ...tlsDeny() }],
    });
    expect(plan.change.before).toEqual(policy);
  });

  it('accepts a policy whose Statement is a single object', () => {
    const plan = planSslOnly({
      bucket,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: reader }),
    });
    expect(JSON.parse(plan.policy as string).Statement).toEqual([
      reader,
      { Sid: SSL_ONLY_SID, ...tlsDeny() },
    ]);
  });

  it('a bucket without a policy gets a policy of the one statement', () => {
    const plan = planSslOnly({ bucket, policy: null });
    expect(JSON.parse(plan.policy as string)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: SSL_ONLY_SID, ...tlsDeny() }],
    });
    expect(plan.change.before).toBeNull();
  });

  it('a policy that already denies requests without TLS (any Sid, Principal AWS "*", Action "*") is left alone', () => {
    for (const deny of [tlsDeny({ Sid: 'OnlyTls' }), tlsDeny({ Principal: { AWS: '*' }, Action: ['*'] })]) {
      const plan = planSslOnly({ bucket, policy: JSON.stringify({ Statement: [reader, deny] }) });
      expect(plan.present).toBe(true);
      expect(plan.policy).toBeUndefined();
    }
  });

  it('a deny that does not cover everyone or every action does not count', () => {
    for (const deny of [
      tlsDeny({ Action: 's3:PutObject' }),
      tlsDeny({ Principal: { AWS: '111122223333' } }),
    ]) {
      expect(planSslOnly({ bucket, policy: JSON.stringify({ Statement: [deny] }) }).present).toBe(false);
    }
  });

  it('a policy that is not JSON, or has no statements, is refused with a typed error', () => {
    expect(() => planSslOnly({ bucket, policy: '{not json' })).toThrow(InvalidBucketPolicyError);
    expect(() => planSslOnly({ bucket, policy: '{"Version":"2012-10-17"}' })).toThrow(
      InvalidBucketPolicyError,
    );
    expect(() =>
      planSslOnly({ bucket, policy: JSON.stringify({ Statement: [{ ...reader, Sid: SSL_ONLY_SID }] }) }),
    ).toThrow(InvalidBucketPolicyError);
  });
});
