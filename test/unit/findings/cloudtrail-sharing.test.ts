import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '#shared/classify.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { onlyFindingOf, ourEvent, rejectionOf } from './events.ts';

const policy = loadPolicyFile(fileURLToPath(new URL('../../../policy/default.yaml', import.meta.url)));
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };

describe('data shared out (ModifySnapshotAttribute, ModifyImageAttribute)', () => {
  it('turns a snapshot made public into a High finding naming the snapshot and the permission added', () => {
    const finding = onlyFindingOf(
      normalizeEvent(ourEvent('cloudtrail-ec2-modify-snapshot-attribute-public.json')),
    );

    expect(finding).toMatchObject({
      type: 'ModifySnapshotAttribute',
      resource: { kind: 'Other', type: 'AwsEc2Snapshot', id: 'snap-0a1b2c3d4e5f60718' },
      severity: { score: 8, label: 'High' },
      title: 'EBS snapshot snap-0a1b2c3d4e5f60718 made public',
      change: { snapshotId: 'snap-0a1b2c3d4e5f60718', added: [{ Group: 'all' }] },
    });
  });

  it('turns an AMI made public into a High finding naming the image', () => {
    const finding = onlyFindingOf(
      normalizeEvent(ourEvent('cloudtrail-ec2-modify-image-attribute-public.json')),
    );

    expect(finding).toMatchObject({
      resource: { kind: 'Other', type: 'AwsEc2Image', id: 'ami-0a1b2c3d4e5f60718' },
      severity: { score: 8 },
      change: { imageId: 'ami-0a1b2c3d4e5f60718', added: [{ Group: 'all' }] },
    });
  });

  it('scores a share with another account Medium and names the account', () => {
    const finding = onlyFindingOf(
      normalizeEvent(ourEvent('cloudtrail-ec2-modify-snapshot-attribute-account.json')),
    );

    expect(finding).toMatchObject({
      severity: { score: 6 },
      title: 'EBS snapshot snap-0a1b2c3d4e5f60718 shared with account 444455556666',
      change: { added: [{ UserId: '444455556666' }] },
    });
  });

  it('reads the operationType form of the request too', () => {
    const event = ourEvent('cloudtrail-ec2-modify-snapshot-attribute-account.json');
    event.detail.requestParameters = {
      snapshotId: 'snap-0a1b2c3d4e5f60718',
      operationType: 'add',
      userGroup: { items: [{ userGroup: 'all' }] },
    };

    expect(onlyFindingOf(normalizeEvent(event)).change).toEqual({
      snapshotId: 'snap-0a1b2c3d4e5f60718',
      added: [{ Group: 'all' }],
    });
  });

  it('scores removing a permission, or sharing with the owner itself, Low: no rule acts', () => {
    const removed = ourEvent('cloudtrail-ec2-modify-snapshot-attribute-public.json');
    removed.detail.requestParameters.createVolumePermission = { remove: { items: [{ group: 'all' }] } };
    const own = ourEvent('cloudtrail-ec2-modify-snapshot-attribute-account.json');
    own.detail.requestParameters.createVolumePermission.add.items = [{ userId: '111122223333' }];

    expect(classifyEvent(removed, policy, ctx)[0]).toMatchObject({
      outcome: 'skipped',
      severity: { score: 2 },
    });
    expect(classifyEvent(own, policy, ctx)[0]).toMatchObject({ outcome: 'skipped', severity: { score: 2 } });
  });

  it('routes public shares to revoke-outside-sharing at once and account shares for approval', () => {
    const [pub] = classifyEvent(ourEvent('cloudtrail-ec2-modify-image-attribute-public.json'), policy, ctx);
    const [account] = classifyEvent(
      ourEvent('cloudtrail-ec2-modify-snapshot-attribute-account.json'),
      policy,
      ctx,
    );

    expect(pub).toMatchObject({ outcome: 'routed', playbook: 'revoke-outside-sharing', mode: 'auto' });
    expect(account).toMatchObject({ outcome: 'routed', playbook: 'revoke-outside-sharing', mode: 'approve' });
  });

  it('rejects a failed call and a request without a snapshot id', () => {
    const failed = ourEvent('cloudtrail-ec2-modify-snapshot-attribute-public.json');
    failed.detail.errorCode = 'Client.InvalidSnapshot.NotFound';
    const nameless = ourEvent('cloudtrail-ec2-modify-snapshot-attribute-public.json');
    nameless.detail.requestParameters.snapshotId = 'vol-0123';

    expect(rejectionOf(normalizeEvent(failed)).message).toMatch(/failed \(Client.InvalidSnapshot.NotFound\)/);
    expect(rejectionOf(normalizeEvent(nameless)).issues).toEqual([
      expect.stringMatching(/^detail\.requestParameters\.snapshotId: /),
    ]);
  });

  it('turns an RDS snapshot made public, and a cluster snapshot shared with an account, into findings', () => {
    const snapshot = onlyFindingOf(
      normalizeEvent(ourEvent('cloudtrail-rds-modify-db-snapshot-attribute-public.json')),
    );
    const cluster = onlyFindingOf(
      normalizeEvent(ourEvent('cloudtrail-rds-modify-db-cluster-snapshot-attribute-account.json')),
    );

    expect(snapshot).toMatchObject({
      resource: { kind: 'Other', type: 'AwsRdsDbSnapshot', id: 'orders-2026-12-01' },
      severity: { score: 8 },
      title: 'RDS snapshot orders-2026-12-01 made public',
      change: { added: [{ Group: 'all' }] },
    });
    expect(cluster).toMatchObject({
      resource: { kind: 'Other', type: 'AwsRdsDbClusterSnapshot', id: 'aurora-nightly' },
      severity: { score: 6 },
      change: { added: [{ UserId: '444455556666' }] },
    });
  });

  it('reads an RDS snapshot named by its ARN, and rejects one named by nothing usable', () => {
    const byArn = ourEvent('cloudtrail-rds-modify-db-snapshot-attribute-public.json');
    byArn.detail.requestParameters.dBSnapshotIdentifier =
      'arn:aws:rds:us-east-1:111122223333:snapshot:orders-2026-12-01';
    const nameless = ourEvent('cloudtrail-rds-modify-db-snapshot-attribute-public.json');
    nameless.detail.requestParameters.dBSnapshotIdentifier = 'rds:automated';

    expect(onlyFindingOf(normalizeEvent(byArn)).resource).toMatchObject({ id: 'orders-2026-12-01' });
    expect(rejectionOf(normalizeEvent(nameless)).issues).toEqual([
      expect.stringMatching(/^detail\.requestParameters\.dBSnapshotIdentifier: /),
    ]);
  });

  it('rejects the sharing name from a service that does not own it', () => {
    const event = ourEvent('cloudtrail-ec2-modify-snapshot-attribute-public.json');
    event.detail.eventSource = 'rds.amazonaws.com';

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(
      /unsupported CloudTrail event ModifySnapshotAttribute/,
    );
  });
});
