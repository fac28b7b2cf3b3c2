import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, executionEnded, waitFor } from './approval-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
let rds: RDSClient;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-rds');
  const config = { endpoint: h.sandbox.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  rds = new RDSClient(config);
}, 120_000);
afterAll(async () => {
  desk?.close();
  rds?.destroy();
  await h?.stop();
});

const instance = async (DBInstanceIdentifier: string) =>
  (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier }))).DBInstances?.[0];

const TITLES: Record<string, string> = {
  'RDS.2':
    'RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration',
  'RDS.8': 'RDS DB instances should have deletion protection enabled',
  'RDS.13': 'RDS automatic minor version upgrades should be enabled',
};

/** Security Hub's RDS.8 control finding about DB instance `identifier`, FAILED. */
function rdsDot8Finding(identifier: string, suffix: string) {
  return rdsControlFinding('RDS.8', identifier, suffix);
}

/** Security Hub's `control` finding about DB instance `identifier`, FAILED. */
function rdsControlFinding(control: string, identifier: string, suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/${control}/finding/1b2c3d4e-5f60-4718-a9b0-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: `security-control/${control}`,
          AwsAccountId: '111122223333',
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: TITLES[control],
          Region: 'us-east-1',
          CreatedAt: '2026-11-22T12:06:02.311Z',
          UpdatedAt: '2026-11-22T12:06:02.311Z',
          Severity: { Label: 'LOW' },
          Resources: [
            {
              Type: 'AwsRdsDbInstance',
              Id: `arn:aws:rds:us-east-1:111122223333:db:${identifier}`,
              Region: 'us-east-1',
            },
          ],
          Compliance: { Status: 'FAILED', SecurityControlId: control },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}

const steps = async (id: string) => (await h.history(id)).map((r) => [r.action, r.outcome]);
const modifies = () => h.sandbox.server.calls.filter((c) => c.operation === 'ModifyDBInstance').length;

/** Undo the playbook execution of finding `id`, approved by on-call; the undo's final status. */
async function undoApproved(id: string): Promise<string | undefined> {
  return (await desk.approved(id, { reason: 'test' })).ended.status;
}

/** Start the playbook on `event` directly, in `mode` (the classifier's input, without its routing). */
async function startDirectly(
  event: { source: string; 'detail-type': string; detail: unknown },
  mode: string,
) {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: h.sandbox.deployment?.outputs.StateMachineProtectDbInstance as string,
      input: JSON.stringify({
        finding,
        decision: { playbook: 'protect-db-instance', mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
        target: { accountId: finding.accountId, region: finding.region },
      }),
    }),
  );
  return started.executionArn as string;
}

describe('protect-db-instance (Security Hub RDS.8), end to end through the sandbox', () => {
  it('turns deletion protection on for that instance only, verified, and undo turns it off again', async () => {
    // A pending class change stays pending: applying it now could mean an outage now.
    h.sandbox.services.rds.seedInstance('orders-db', {
      publiclyAccessible: true,
      copyTagsToSnapshot: true,
      pendingInstanceClass: 'db.r6g.large',
    });
    h.sandbox.services.rds.seedInstance('reports-db');
    const before = await instance('orders-db');
    const other = await instance('reports-db');
    const { event, id } = rdsDot8Finding('orders-db', '000000000008');

    await h.put(event);

    expect(await instance('orders-db')).toEqual({ ...before, DeletionProtection: true });
    expect(await instance('reports-db')).toEqual(other);
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['ModifyDBInstance', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    // The record shows every setting the controls check, before and after: only the one changed.
    expect(JSON.parse(trail[1]?.before as string)).toEqual({
      DeletionProtection: false,
      PubliclyAccessible: true,
      AutoMinorVersionUpgrade: false,
    });
    expect(JSON.parse(trail[2]?.after as string)).toEqual({
      DeletionProtection: true,
      PubliclyAccessible: true,
      AutoMinorVersionUpgrade: false,
    });

    expect(await undoApproved(id)).toBe('SUCCEEDED');

    expect(await instance('orders-db')).toEqual(before);
  });

  it('an instance already protected is recorded and left as it is', async () => {
    h.sandbox.services.rds.seedInstance('ledger-db', { deletionProtection: true });
    const modifies = h.sandbox.server.calls.filter((c) => c.operation === 'ModifyDBInstance').length;
    const { event, id } = rdsDot8Finding('ledger-db', '000000000081');

    await h.put(event);

    expect(h.sandbox.server.calls.filter((c) => c.operation === 'ModifyDBInstance').length).toBe(modifies);
    expect((await h.history(id)).map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['ModifyDBInstance', 'skipped'],
    ]);
  });

  it('RDS.2 waits for approval, then turns public access off and nothing else; undo makes it public again', async () => {
    h.sandbox.services.rds.seedInstance('storefront-db', {
      publiclyAccessible: true,
      pendingInstanceClass: 'db.r6g.large',
    });
    const before = await instance('storefront-db');
    const { event, id } = rdsControlFinding('RDS.2', 'storefront-db', '000000000002');

    await h.put(event);
    const notice = await waitFor('the approval request', () => approvalNotice(h, id));
    expect((await instance('storefront-db'))?.PubliclyAccessible).toBe(true);
    await desk.oncall.decide(notice.approvalId, 'approve', 'no client outside the VPC');
    await executionEnded(h, (await h.history(id))[0]?.executionArn as string);

    expect(await instance('storefront-db')).toEqual({ ...before, PubliclyAccessible: false });
    expect((await steps(id)).slice(-3)).toEqual([
      ['ModifyDBInstance', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    expect(await undoApproved(id)).toBe('SUCCEEDED');
    expect(await instance('storefront-db')).toEqual(before);
  });

  it('RDS.13 on an instance whose RDS.2 awaits approval is remediated too; RDS.13 reported again is a duplicate', async () => {
    h.sandbox.services.rds.seedInstance('billing-db', { publiclyAccessible: true });
    const before = await instance('billing-db');
    const publicAccess = rdsControlFinding('RDS.2', 'billing-db', '000000000022');
    const minorUpgrades = rdsControlFinding('RDS.13', 'billing-db', '000000000013');
    const again = rdsControlFinding('RDS.13', 'billing-db', '000000000131');

    await h.put(publicAccess.event);
    const notice = await waitFor('the approval request', () => approvalNotice(h, publicAccess.id));
    await h.put(minorUpgrades.event);
    await h.put(again.event);

    expect(await instance('billing-db')).toEqual({ ...before, AutoMinorVersionUpgrade: true });
    expect((await steps(minorUpgrades.id)).slice(-2)).toEqual([
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(await steps(again.id)).toEqual([['classify', 'duplicate']]);
    expect((await h.history(again.id))[0]?.reason).toContain('AutoMinorVersionUpgrade of this resource');

    await desk.oncall.decide(notice.approvalId, 'deny', 'a partner connects from outside');
    await executionEnded(h, (await h.history(publicAccess.id))[0]?.executionArn as string);
    expect(await instance('billing-db')).toEqual({ ...before, AutoMinorVersionUpgrade: true });
  });

  it('in dry-run records the one setting it would change, and changes nothing', async () => {
    h.sandbox.services.rds.seedInstance('archive-db');
    const before = await instance('archive-db');
    const calls = modifies();
    const { event, id } = rdsControlFinding('RDS.13', 'archive-db', '000000000113');

    expect((await executionEnded(h, await startDirectly(event, 'dry-run'))).status).toBe('SUCCEEDED');

    expect(modifies()).toBe(calls);
    expect(await instance('archive-db')).toEqual(before);
    const [plan] = await h.history(id);
    expect([plan?.action, plan?.outcome]).toEqual(['Plan', 'planned']);
    expect(JSON.parse(plan?.details as string).actions).toEqual([
      {
        action: 'ModifyDBInstance',
        dbInstanceIdentifier: 'archive-db',
        control: 'RDS.13',
        setting: 'AutoMinorVersionUpgrade',
        value: true,
      },
    ]);
  });

  it('an instance that is not available is handed to a person, unchanged', async () => {
    h.sandbox.services.rds.seedInstance('stopped-db', { status: 'stopped' });
    const before = await instance('stopped-db');
    const { event, id } = rdsControlFinding('RDS.13', 'stopped-db', '000000001313');

    expect((await executionEnded(h, await startDirectly(event, 'auto'))).status).toBe('FAILED');

    expect(await instance('stopped-db')).toEqual(before);
    expect((await steps(id)).at(-1)).toEqual(['NeedsHuman', 'needs-human']);
  });
});
