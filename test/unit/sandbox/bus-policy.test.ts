import { describe, expect, it } from 'vitest';
import { type BusPolicyStatement, busAllowsPutEvents } from '#sandbox/services/events/bus-policy.ts';

const BUS = 'arn:aws:events:us-east-1:111122223333:event-bus/remediation-findings';
const ORG = 'o-a1b2c3d4e5';

/** The statement CDK synthesizes for `EventBus.grantPutEventsTo(new OrganizationPrincipal(...))`. */
const organizationMembers: BusPolicyStatement = {
  Sid: 'cdk-OrganizationMembersPutEvents',
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: 'events:PutEvents',
  Resource: BUS,
  Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
};

describe('busAllowsPutEvents', () => {
  it('admits an account of the organization and refuses one outside it', () => {
    expect(
      busAllowsPutEvents(BUS, [organizationMembers], { accountId: '444455556666', organizationId: ORG }),
    ).toBe(true);
    expect(busAllowsPutEvents(BUS, [organizationMembers], { accountId: '123456789012' })).toBe(false);
    expect(
      busAllowsPutEvents(BUS, [organizationMembers], {
        accountId: '123456789012',
        organizationId: 'o-zzzzzzzzzz',
      }),
    ).toBe(false);
  });

  it('lets the bus account put events with no policy at all, and no other account', () => {
    expect(busAllowsPutEvents(BUS, [], { accountId: '111122223333' })).toBe(true);
    expect(busAllowsPutEvents(BUS, [], { accountId: '444455556666', organizationId: ORG })).toBe(false);
  });

  it('matches an account principal given as an id or as its root ARN', () => {
    const byId: BusPolicyStatement = {
      Effect: 'Allow',
      Principal: { AWS: '444455556666' },
      Action: 'events:*',
    };
    const byRoot: BusPolicyStatement = {
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::444455556666:root'] },
      Action: ['events:PutEvents'],
      Resource: 'arn:aws:events:us-east-1:111122223333:event-bus/*',
    };
    for (const statement of [byId, byRoot]) {
      expect(busAllowsPutEvents(BUS, [statement], { accountId: '444455556666' })).toBe(true);
      expect(busAllowsPutEvents(BUS, [statement], { accountId: '777788889999' })).toBe(false);
    }
  });

  it('refuses when a statement for another bus or another action is all there is', () => {
    const otherBus = { ...organizationMembers, Resource: BUS.replace('remediation-findings', 'other') };
    const otherAction = { ...organizationMembers, Action: 'events:PutRule' };
    const requester = { accountId: '444455556666', organizationId: ORG };
    expect(busAllowsPutEvents(BUS, [otherBus], requester)).toBe(false);
    expect(busAllowsPutEvents(BUS, [otherAction], requester)).toBe(false);
  });

  it('lets a matching Deny win over an Allow, and StringLike conditions use wildcards', () => {
    const requester = { accountId: '444455556666', organizationId: ORG, sourceArn: `${BUS}/rule/x` };
    const denyOne: BusPolicyStatement = {
      Effect: 'Deny',
      Principal: '*',
      Action: 'events:PutEvents',
      Condition: { StringLike: { 'aws:PrincipalAccount': '4444*' } },
    };
    expect(busAllowsPutEvents(BUS, [organizationMembers, denyOne], requester)).toBe(false);
    expect(
      busAllowsPutEvents(BUS, [organizationMembers, denyOne], {
        accountId: '777788889999',
        organizationId: ORG,
      }),
    ).toBe(true);
  });

  it('ignores a statement whose condition operator it cannot evaluate', () => {
    const numeric: BusPolicyStatement = {
      ...organizationMembers,
      Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
    };
    expect(busAllowsPutEvents(BUS, [numeric], { accountId: '444455556666', organizationId: ORG })).toBe(
      false,
    );
  });
});
