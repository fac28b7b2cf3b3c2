import { describe, expect, it } from 'vitest';
import { threatReadDenyStatement } from '#shared/bucket-policy/threat-read-deny.ts';
import type { Finding } from '#shared/findings/finding.ts';
import { reverseDenyThreatObjectReads } from '#shared/undo/reverse-bucket-policy.ts';
import type { TrailRecord } from '#shared/undo/trail.ts';

const objectsArn = 'arn:aws:s3:::uploads/*';
const appRead = {
  Sid: 'AppRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: objectsArn,
};
const finding = { resource: { kind: 'Bucket', bucketName: 'uploads' } } as Finding;
const trailOf = (statements: object[]) => ({
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

describe('undo of deny-threat-object-reads', () => {
  it('puts the policy back without its statement, every other statement kept', () => {
    const { actions } = reverseDenyThreatObjectReads(trailOf([appRead, threatReadDenyStatement(objectsArn)]));

    expect(actions.map((a) => a.type)).toEqual(['PutBucketPolicy']);
    expect(JSON.parse(actions[0]?.request.Policy as string).Statement).toEqual([appRead]);
  });

  it('deletes the policy when the statement was all of it', () => {
    const { actions } = reverseDenyThreatObjectReads(trailOf([threatReadDenyStatement(objectsArn)]));

    expect(actions.map((a) => [a.type, a.request])).toEqual([['DeleteBucketPolicy', { Bucket: 'uploads' }]]);
  });
});
