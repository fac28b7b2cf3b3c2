import { describe, expect, it } from 'vitest';
import { editBucketPolicy } from '#shared/bucket-policy/edit.ts';
import { BucketPolicyEditError } from '#shared/bucket-policy/policy-document.ts';
import { THREAT_READ_DENY_SID, threatReadDenyStatement } from '#shared/bucket-policy/threat-read-deny.ts';

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

  it('is removed alone by its Sid; the policy is deleted when it was the only statement', () => {
    const sid = THREAT_READ_DENY_SID;
    const both = policy(appRead, threatReadDenyStatement(objectsArn));
    expect(sids(editBucketPolicy({ operation: 'remove', current: { Policy: both }, sid }).policy)).toEqual([
      'AppRead',
    ]);
    const only = editBucketPolicy({
      operation: 'remove',
      current: { Policy: policy(threatReadDenyStatement(objectsArn)) },
      sid,
    });
    expect(only).toMatchObject({ changed: true, statements: 0, document: 'none' });
    expect(only.policy).toBeUndefined();
    expect(editBucketPolicy({ operation: 'remove', current: { Policy: policy(appRead) }, sid }).changed).toBe(
      false,
    );
  });

  it('removes the statement of the Sid it is given, whichever playbook added it, and no other', () => {
    const sslOnly = { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*' };
    const three = policy(appRead, threatReadDenyStatement(objectsArn), sslOnly);

    const edit = editBucketPolicy({
      operation: 'remove',
      current: { Policy: three },
      sid: 'DenyInsecureTransport',
    });

    expect(sids(edit.policy)).toEqual(['AppRead', THREAT_READ_DENY_SID]);
    expect(() => editBucketPolicy({ operation: 'remove', current: { Policy: three } })).toThrow(
      BucketPolicyEditError,
    );
    expect(
      editBucketPolicy({ operation: 'remove', current: {}, sid: 'DenyInsecureTransport' }),
    ).toMatchObject({
      changed: false,
      previous: 'none',
    });
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
