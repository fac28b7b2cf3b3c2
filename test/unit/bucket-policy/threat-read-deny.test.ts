import { describe, expect, it } from 'vitest';
import {
  BucketPolicyEditError,
  editBucketPolicy,
  THREAT_READ_DENY_SID,
  threatReadDenyStatement,
} from '#shared/bucket-policy/threat-read-deny.ts';

const objectsArn = 'arn:aws:s3:::uploads/*';
const appRead = {
  Sid: 'AppRead',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:role/app' },
  Action: 's3:GetObject',
  Resource: objectsArn,
};
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const sids = (text: string | undefined) =>
  (JSON.parse(text ?? '{}').Statement as { Sid?: string }[]).map((s) => s.Sid);

describe('the threat-read deny statement', () => {
  it('is added after every statement already there, which stay as they were', () => {
    const edit = editBucketPolicy({ operation: 'add', current: { Policy: policy(appRead) }, objectsArn });

    expect(edit.changed).toBe(true);
    expect(JSON.parse(edit.policy ?? '').Statement).toEqual([appRead, threatReadDenyStatement(objectsArn)]);
  });

  it('makes a policy of its own for a bucket that has none', () => {
    const edit = editBucketPolicy({ operation: 'add', current: { NoPolicy: true }, objectsArn });

    expect(sids(edit.policy)).toEqual([THREAT_READ_DENY_SID]);
    expect(edit.previous).toBe('none');
  });

  it('is not added twice: a policy holding it is left alone', () => {
    const first = editBucketPolicy({ operation: 'add', current: { Policy: policy(appRead) }, objectsArn });
    const second = editBucketPolicy({ operation: 'add', current: { Policy: first.policy }, objectsArn });

    expect(second).toMatchObject({ changed: false, statements: 2 });
    expect(second.policy).toBeUndefined();
  });

  it('replaces a statement under its Sid that was altered, keeping one', () => {
    const altered = { ...threatReadDenyStatement(objectsArn), Condition: {} };
    const edit = editBucketPolicy({
      operation: 'add',
      current: { Policy: policy(appRead, altered) },
      objectsArn,
    });

    expect(JSON.parse(edit.policy ?? '').Statement).toEqual([appRead, threatReadDenyStatement(objectsArn)]);
  });

  it('is removed alone; the policy is deleted when it was the only statement', () => {
    const both = policy(appRead, threatReadDenyStatement(objectsArn));
    expect(
      sids(editBucketPolicy({ operation: 'remove', current: { Policy: both }, objectsArn }).policy),
    ).toEqual(['AppRead']);
    const only = editBucketPolicy({
      operation: 'remove',
      current: { Policy: policy(threatReadDenyStatement(objectsArn)) },
      objectsArn,
    });
    expect(only).toMatchObject({ changed: true, statements: 0, document: 'none' });
    expect(only.policy).toBeUndefined();
    expect(
      editBucketPolicy({ operation: 'remove', current: { Policy: policy(appRead) }, objectsArn }).changed,
    ).toBe(false);
  });

  it('refuses a policy that is not JSON, and one S3 would refuse as too large', () => {
    expect(() => editBucketPolicy({ operation: 'add', current: { Policy: '{' }, objectsArn })).toThrow(
      BucketPolicyEditError,
    );
    const big = {
      ...appRead,
      Sid: 'Big',
      Resource: Array.from({ length: 800 }, (_, i) => `arn:aws:s3:::uploads/p${i}/*`),
    };
    expect(() =>
      editBucketPolicy({ operation: 'add', current: { Policy: policy(big) }, objectsArn }),
    ).toThrow(/exceed/);
    expect(() =>
      editBucketPolicy({ operation: 'add', current: {}, objectsArn: 'arn:aws:s3:::Bad_Bucket/*' }),
    ).toThrow(BucketPolicyEditError);
  });
});
