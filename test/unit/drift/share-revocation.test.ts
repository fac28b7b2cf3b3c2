import { describe, expect, it } from 'vitest';
import {
  parseShareRevocationInput,
  planShareRevocation,
  ShareRevocationInputError,
} from '#shared/sharing/share-revocation.ts';

const base = {
  accountId: '111122223333',
  resource: { kind: 'Other', type: 'AwsEc2Snapshot', id: 'snap-0a1b2c3d4e5f60718' },
};

describe('planShareRevocation', () => {
  it('removes exactly the public permission the call added; an earlier account share stays', () => {
    const plan = planShareRevocation(
      parseShareRevocationInput({
        ...base,
        change: { added: [{ Group: 'all' }] },
        described: { CreateVolumePermissions: [{ UserId: '999988887777' }, { Group: 'all' }] },
      }),
    );

    expect(plan).toMatchObject({ scope: 'added', remove: [{ Group: 'all' }], count: 1 });
    expect(plan.permissions).toHaveLength(2);
  });

  it('with publicOnly (a control that checks public sharing), removes `all` and leaves account shares', () => {
    const plan = planShareRevocation(
      parseShareRevocationInput({
        ...base,
        resource: { type: 'AwsRdsDbSnapshot', id: 'nightly' },
        decision: { params: { publicOnly: true } },
        described: {
          DbSnapshotAttributesResult: {
            DbSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['all', '999988887777'] }],
          },
        },
      }),
    );

    expect(plan).toMatchObject({ scope: 'resource', removeValues: ['all'], count: 1 });
    expect(plan.leftAlone).toEqual([
      {
        permission: { UserId: '999988887777' },
        reason: 'not public, and the rule removes public sharing only (params.publicOnly)',
      },
    ]);
  });

  it('leaves the owner and trusted accounts and organizations alone, with the reason', () => {
    const plan = planShareRevocation(
      parseShareRevocationInput({
        ...base,
        resource: { type: 'AwsEc2Image', id: 'ami-0a1b2c3d4e5f60718' },
        change: {
          added: [
            { UserId: '111122223333' },
            { UserId: '222233334444' },
            { UserId: '444455556666' },
            { OrganizationArn: 'arn:aws:organizations::222233334444:organization/o-trusted1234' },
            { OrganizationArn: 'arn:aws:organizations::555566667777:organization/o-stranger123' },
          ],
        },
        decision: { params: { trustedAccounts: ['222233334444', 'o-trusted1234'] } },
        described: {
          LaunchPermissions: [
            { UserId: '222233334444' },
            { UserId: '444455556666' },
            { OrganizationArn: 'arn:aws:organizations::222233334444:organization/o-trusted1234' },
            { OrganizationArn: 'arn:aws:organizations::555566667777:organization/o-stranger123' },
          ],
        },
      }),
    );

    expect(plan.remove).toEqual([
      { UserId: '444455556666' },
      { OrganizationArn: 'arn:aws:organizations::555566667777:organization/o-stranger123' },
    ]);
    expect(plan.leftAlone.map((l) => l.reason)).toEqual([
      'the owning account itself',
      'an account the policy trusts (params.trustedAccounts)',
      'an organization the policy trusts (params.trustedAccounts)',
    ]);
  });

  it('reports a permission the resource no longer has as already gone, removing nothing', () => {
    const plan = planShareRevocation(
      parseShareRevocationInput({
        ...base,
        change: { added: [{ Group: 'all' }] },
        described: { CreateVolumePermissions: [] },
      }),
    );

    expect(plan).toMatchObject({ count: 0, remove: [], alreadyGone: [{ Group: 'all' }] });
  });

  it('judges every permission of the resource when no call is recorded', () => {
    const plan = planShareRevocation(
      parseShareRevocationInput({
        ...base,
        change: {},
        described: { CreateVolumePermissions: [{ Group: 'all' }, { UserId: '111122223333' }] },
      }),
    );

    expect(plan).toMatchObject({ scope: 'resource', remove: [{ Group: 'all' }], count: 1 });
  });

  it('reads the RDS restore attribute (as Step Functions spells it) and removes by value', () => {
    const plan = planShareRevocation(
      parseShareRevocationInput({
        ...base,
        resource: { type: 'AwsRdsDbClusterSnapshot', id: 'aurora-nightly' },
        change: { added: [{ Group: 'all' }, { UserId: '444455556666' }] },
        described: {
          DbClusterSnapshotAttributesResult: {
            DbClusterSnapshotAttributes: [
              { AttributeName: 'restore', AttributeValues: ['999988887777', 'all', '444455556666'] },
            ],
          },
        },
      }),
    );

    expect(plan).toMatchObject({
      remove: [{ Group: 'all' }, { UserId: '444455556666' }],
      removeValues: ['all', '444455556666'],
    });
    expect(plan.permissions).toHaveLength(3);
  });

  it('refuses a resource type it does not act on, and a malformed trusted account', () => {
    expect(() =>
      parseShareRevocationInput({ ...base, resource: { type: 'AwsLambdaFunction', id: 'x' }, described: {} }),
    ).toThrow(ShareRevocationInputError);
    expect(() =>
      parseShareRevocationInput({
        ...base,
        decision: { params: { trustedAccounts: ['12345'] } },
        described: {},
      }),
    ).toThrow(/decision\.params\.trustedAccounts\.0/);
  });
});
