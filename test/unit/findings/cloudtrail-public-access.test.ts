import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '#shared/classify.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { onlyFindingOf, ourEvent, rejectionOf } from './events.ts';

const policy = loadPolicyFile(fileURLToPath(new URL('../../../policy/default.yaml', import.meta.url)));
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe('Block Public Access weakened (PutAccountPublicAccessBlock, PutBucketPublicAccessBlock)', () => {
  it('turns an account-level put that leaves settings off into a High finding about the account, naming them', () => {
    const finding = onlyFindingOf(
      normalizeEvent(ourEvent('cloudtrail-put-account-public-access-block-weakened.json')),
    );

    expect(finding).toMatchObject({
      type: 'PutAccountPublicAccessBlock',
      resource: { kind: 'Account' },
      severity: { score: 7, label: 'High' },
      change: { settingsOff: ['IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] },
    });
  });

  it('turns a bucket-level put that leaves settings off into a High finding about the bucket', () => {
    const finding = onlyFindingOf(
      normalizeEvent(ourEvent('cloudtrail-put-bucket-public-access-block-weakened.json')),
    );

    expect(finding).toMatchObject({
      type: 'PutBucketPublicAccessBlock',
      resource: { kind: 'Bucket', bucketName: 'example-reports-111122223333' },
      severity: { score: 7 },
      change: { settingsOff: ['BlockPublicPolicy', 'RestrictPublicBuckets'] },
    });
  });

  it('reads a setting left out of the request as off, and string values as S3 does', () => {
    const event = ourEvent('cloudtrail-put-account-public-access-block-weakened.json');
    event.detail.requestParameters.PublicAccessBlockConfiguration = {
      BlockPublicAcls: 'true',
      IgnorePublicAcls: 'TRUE',
      BlockPublicPolicy: true,
    };

    expect(onlyFindingOf(normalizeEvent(event)).change).toEqual({ settingsOff: ['RestrictPublicBuckets'] });
  });

  it('routes a weakened account block to block-account-public-access at once, a weakened bucket block to the bucket playbook', () => {
    const [account] = classifyEvent(
      ourEvent('cloudtrail-put-account-public-access-block-weakened.json'),
      policy,
      ctx,
    );
    const [bucket] = classifyEvent(
      ourEvent('cloudtrail-put-bucket-public-access-block-weakened.json'),
      policy,
      ctx,
    );

    expect(account).toMatchObject({
      outcome: 'routed',
      playbook: 'block-account-public-access',
      mode: 'auto',
    });
    expect(bucket).toMatchObject({ outcome: 'routed', playbook: 'block-bucket-public-access', mode: 'auto' });
  });

  it('scores a put with every setting on Low: nothing weakened, no rule acts', () => {
    const event = ourEvent('cloudtrail-put-account-public-access-block-weakened.json');
    event.detail.requestParameters.PublicAccessBlockConfiguration = ALL_ON;

    const [decision] = classifyEvent(event, policy, ctx);

    expect(decision).toMatchObject({ outcome: 'skipped', severity: { score: 2 } });
  });

  it('routes DeleteAccountPublicAccessBlock as every setting off', () => {
    const event = ourEvent('cloudtrail-put-account-public-access-block-weakened.json');
    event.detail.eventName = 'DeleteAccountPublicAccessBlock';
    event.detail.requestParameters = { Host: '111122223333.s3-control.us-east-1.amazonaws.com' };

    const [decision] = classifyEvent(event, policy, ctx);

    expect(decision).toMatchObject({ outcome: 'routed', playbook: 'block-account-public-access' });
    expect(decision?.finding?.change).toEqual({
      settingsOff: ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'],
    });
  });

  it('rejects a bucket-level put that names no usable bucket, and one without a configuration', () => {
    const noBucket = ourEvent('cloudtrail-put-bucket-public-access-block-weakened.json');
    noBucket.detail.requestParameters.bucketName = 'Not_A_Bucket';
    const noConfig = ourEvent('cloudtrail-put-account-public-access-block-weakened.json');
    delete noConfig.detail.requestParameters.PublicAccessBlockConfiguration;

    expect(rejectionOf(normalizeEvent(noBucket)).message).toMatch(/names no usable bucket/);
    expect(rejectionOf(normalizeEvent(noConfig)).message).toMatch(/PublicAccessBlockConfiguration/);
  });
});
