import { describe, expect, it } from 'vitest';
import { controlFinding } from './control-helpers.ts';
import { rdsStack } from './rds-fixtures.ts';

const stack = rdsStack('oncall-rds-config');
const { instance, steps } = stack;
const modifies = () => stack.calls('ModifyDBInstance');

/**
 * AWS Config's compliance change: `rule` (as Security Hub deploys it, with its prefix and suffix)
 * finds the DB instance named by its resource id NON_COMPLIANT. `id` is the finding id.
 */
function configChange(rule: string, dbiResourceId: string, at: string) {
  const configRuleName = `securityhub-${rule}-a1b2c3`;
  const event = {
    source: 'aws.config',
    'detail-type': 'Config Rules Compliance Change',
    detail: {
      configRuleName,
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: dbiResourceId,
      awsRegion: 'us-east-1',
      awsAccountId: '111122223333',
      newEvaluationResult: { complianceType: 'NON_COMPLIANT', resultRecordedTime: at },
    },
  };
  return { event, id: `${configRuleName}/AWS::RDS::DBInstance/${dbiResourceId}/${at}` };
}

describe('protect-db-instance from AWS Config, end to end through the sandbox', () => {
  it('rds-instance-deletion-protection-enabled: finds the instance by its resource id, turns deletion protection on and nothing else; Security Hub RDS.8 after it changes nothing; undo turns it off', async () => {
    stack.h.sandbox.services.rds.seedInstance('inventory-db', {
      publiclyAccessible: true,
      pendingInstanceClass: 'db.r6g.large',
    });
    stack.h.sandbox.services.rds.seedInstance('archive-db');
    const before = await instance('inventory-db');
    const other = await instance('archive-db');
    const dbi = before?.DbiResourceId as string;
    expect(dbi).toMatch(/^db-[A-Z0-9]+$/);
    const change = configChange('rds-instance-deletion-protection-enabled', dbi, '2026-12-06T09:00:00.000Z');

    await stack.h.put(change.event);

    expect(await instance('inventory-db')).toEqual({ ...before, DeletionProtection: true });
    expect(await instance('archive-db')).toEqual(other);
    expect(await steps(change.id)).toEqual([
      ['classify', 'routed'],
      ['ModifyDBInstance', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    // Security Hub names the same instance by its ARN: the claim cannot tell it is the same one
    // before the playbook resolves the resource id, so it runs, finds the setting made, and changes nothing.
    const calls = modifies();
    const securityHub = controlFinding({
      control: 'RDS.8',
      title: 'RDS DB instances should have deletion protection enabled',
      resourceType: 'AwsRdsDbInstance',
      resourceId: 'arn:aws:rds:us-east-1:111122223333:db:inventory-db',
      suffix: '0000000c0f08',
    });
    await stack.h.put(securityHub.event);
    expect(modifies()).toBe(calls);
    expect(await steps(securityHub.id)).toEqual([
      ['classify', 'routed'],
      ['ModifyDBInstance', 'skipped'],
    ]);

    expect((await stack.desk.approved(change.id, { reason: 'test' })).ended.status).toBe('SUCCEEDED');
    expect(await instance('inventory-db')).toEqual(before);
  });

  it('a resource id no instance has ends with a person, who is told which id, and nothing is changed', async () => {
    const calls = modifies();
    const unknown = 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0';
    const change = configChange(
      'rds-instance-deletion-protection-enabled',
      unknown,
      '2026-12-06T09:05:00.000Z',
    );

    await stack.h.put(change.event);

    expect(modifies()).toBe(calls);
    const trail = await stack.h.history(change.id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['NeedsHuman', 'needs-human'],
    ]);
    expect(JSON.parse(trail[1]?.details as string)).toMatchObject({
      Error: 'DBInstanceNotFound',
      Cause: expect.stringContaining(`DB instance resource id ${unknown}, which no DB instance`),
    });
  });
});
