import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { undo } from '#cli/commands/undo.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let sts: STSClient;
let rds: RDSClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-rds'));
  const config = { endpoint: h.sandbox.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  sts = new STSClient(config);
  rds = new RDSClient(config);
}, 120_000);
afterAll(async () => {
  oncall?.close();
  sts?.destroy();
  rds?.destroy();
  await h?.stop();
});

const instance = async (DBInstanceIdentifier: string) =>
  (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier }))).DBInstances?.[0];

/** Security Hub's RDS.8 control finding about DB instance `identifier`, FAILED. */
function rdsDot8Finding(identifier: string, suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/RDS.8/finding/1b2c3d4e-5f60-4718-a9b0-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: 'security-control/RDS.8',
          AwsAccountId: '111122223333',
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: 'RDS DB instances should have deletion protection enabled',
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
          Compliance: { Status: 'FAILED', SecurityControlId: 'RDS.8' },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}

describe('protect-db-instance (Security Hub RDS.8), end to end through the sandbox', () => {
  it('turns deletion protection on for that instance only, verified, and undo turns it off again', async () => {
    h.sandbox.services.rds.seedInstance('orders-db', { publiclyAccessible: true, copyTagsToSnapshot: true });
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
    expect(JSON.parse(trail[1]?.before as string)).toEqual({ DeletionProtection: false });

    const started = await undo(
      trail.find((r) => r.actor.startsWith('playbook/'))?.executionArn as string,
      {
        stateMachine: h.sandbox.deployment?.outputs.UndoStateMachineArn as string,
        pollMs: 50,
        timeoutMs: 20_000,
      },
      { sfn: h.sandbox.clients.sfn, sts },
      { log: () => {}, error: () => {} },
    );
    const notice = await waitFor('the undo approval', () =>
      h.sandbox.services.sns.published.find(
        (m) =>
          m.message.includes(`Finding id: ${id}`) && (m.subject ?? '').includes('undo: approval required'),
      ),
    );
    await oncall.decide(
      /approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1] as string,
      'approve',
      'test',
    );
    expect((await executionEnded(h, started.undoExecutionArn as string)).status).toBe('SUCCEEDED');

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
});
