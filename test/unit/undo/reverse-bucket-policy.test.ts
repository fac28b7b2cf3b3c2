import { describe, expect, it } from 'vitest';
import { planSslOnly, SSL_ONLY_SID, sslOnlyStatement } from '#shared/bucket-policy/ssl-only-policy.ts';
import { THREAT_READ_DENY_SID, threatReadDenyStatement } from '#shared/bucket-policy/threat-read-deny.ts';
import type { Finding } from '#shared/findings/finding.ts';
import type { ExecutionTrail } from '#shared/undo/reverse.ts';
import { reverseDenyThreatObjectReads, reverseRequireBucketSsl } from '#shared/undo/reverse-bucket-policy.ts';
import type { TrailRecord } from '#shared/undo/trail.ts';

const bucket = 'uploads';
const objectsArn = `arn:aws:s3:::${bucket}/*`;
const appRead = {
  Sid: 'AppRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: objectsArn,
};
const finding = { resource: { kind: 'Bucket', bucketName: bucket } } as Finding;
const sids = (policy: unknown) =>
  (JSON.parse(policy as string).Statement as { Sid?: string }[]).map((s) => s.Sid);

/** deny-threat-object-reads' record: the policy it put, as its `after`. */
const threatTrail = (statements: object[]): ExecutionTrail => ({
  finding,
  succeeded: [
    {
      action: 'PutBucketPolicy',
      outcome: 'succeeded',
      after: JSON.stringify({
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
        ObjectsArn: objectsArn,
      }),
    } as TrailRecord,
  ],
});

/** require-bucket-ssl's record: the planner's change, as its `details`. */
const sslTrail = (statements: object[] | undefined): ExecutionTrail => ({
  finding,
  succeeded: [
    {
      action: 'PutBucketPolicy',
      outcome: 'succeeded',
      details: JSON.stringify(
        planSslOnly({
          bucket,
          policy: statements && JSON.stringify({ Version: '2012-10-17', Statement: statements }),
        }).change,
      ),
    } as TrailRecord,
  ],
});

describe('undo of deny-threat-object-reads', () => {
  it('removes its own statement by Sid, every other statement (another playbook’s too) kept', () => {
    const { actions } = reverseDenyThreatObjectReads(
      threatTrail([appRead, sslOnlyStatement(bucket), threatReadDenyStatement(objectsArn)]),
    );

    expect(actions.map((a) => [a.type, a.statementSid])).toEqual([['PutBucketPolicy', THREAT_READ_DENY_SID]]);
    expect(sids(actions[0]?.request.Policy)).toEqual(['AppRead', SSL_ONLY_SID]);
  });

  it('deletes the policy when the statement was all of it', () => {
    const { actions } = reverseDenyThreatObjectReads(threatTrail([threatReadDenyStatement(objectsArn)]));

    expect(actions.map((a) => [a.type, a.request, a.statementSid])).toEqual([
      ['DeleteBucketPolicy', { Bucket: bucket }, THREAT_READ_DENY_SID],
    ]);
  });
});

describe('undo of require-bucket-ssl', () => {
  it('removes its own statement by Sid, every other statement (another playbook’s too) kept', () => {
    const { actions, notes } = reverseRequireBucketSsl(
      sslTrail([appRead, threatReadDenyStatement(objectsArn)]),
    );

    expect(actions.map((a) => [a.type, a.statementSid])).toEqual([['PutBucketPolicy', SSL_ONLY_SID]]);
    expect(sids(actions[0]?.request.Policy)).toEqual(['AppRead', THREAT_READ_DENY_SID]);
    expect(notes.join(' ')).toContain('without TLS again');
  });

  it('deletes the policy when the bucket had none', () => {
    const { actions } = reverseRequireBucketSsl(sslTrail(undefined));

    expect(actions.map((a) => [a.type, a.request, a.statementSid])).toEqual([
      ['DeleteBucketPolicy', { Bucket: bucket }, SSL_ONLY_SID],
    ]);
  });

  it('refuses details that are not as the playbook writes them', () => {
    const trail = sslTrail(undefined);
    const unreadable = {
      ...trail,
      succeeded: [{ ...trail.succeeded[0], details: '{"bucket":"x"}' } as TrailRecord],
    };

    expect(() => reverseRequireBucketSsl(unreadable)).toThrow(/not as the playbook writes them/);
  });
});
