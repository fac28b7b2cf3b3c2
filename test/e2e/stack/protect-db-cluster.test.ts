import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
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
  desk = await undoDesk(h, 'oncall-rds-cluster');
  const config = { endpoint: h.sandbox.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  rds = new RDSClient(config);
}, 120_000);
afterAll(async () => {
  desk?.close();
  rds?.destroy();
  await h?.stop();
});

const cluster = async (DBClusterIdentifier: string) =>
  (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier }))).DBClusters?.[0];
const steps = async (id: string) => (await h.history(id)).map((r) => [r.action, r.outcome]);
const modifies = () => h.sandbox.server.calls.filter((c) => c.operation === 'ModifyDBCluster').length;

const TITLES: Record<string, string> = {
  'RDS.7': 'RDS clusters should have deletion protection enabled',
  'RDS.16': 'Aurora DB clusters should be configured to copy tags to DB snapshots',
};

/** Security Hub's `control` finding about DB cluster `identifier`, FAILED. */
function clusterFinding(control: string, identifier: string, suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/${control}/finding/2c3d4e5f-6071-4829-b0c1-${suffix}`;
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
              Type: 'AwsRdsDbCluster',
              Id: `arn:aws:rds:us-east-1:111122223333:cluster:${identifier}`,
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
      stateMachineArn: h.sandbox.deployment?.outputs.StateMachineProtectDbCluster as string,
      input: JSON.stringify({
        finding,
        decision: { playbook: 'protect-db-cluster', mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
        target: { accountId: finding.accountId, region: finding.region },
      }),
    }),
  );
  return started.executionArn as string;
}

describe('protect-db-cluster (Security Hub RDS.7, RDS.16), end to end through the sandbox', () => {
  it('RDS.7 turns deletion protection on for that cluster only, verified; undo turns it off again', async () => {
    h.sandbox.services.rds.seedCluster('orders-aurora', { autoMinorVersionUpgrade: true });
    h.sandbox.services.rds.seedCluster('reports-aurora');
    const before = await cluster('orders-aurora');
    const other = await cluster('reports-aurora');
    const { event, id } = clusterFinding('RDS.7', 'orders-aurora', '000000000007');

    await h.put(event);

    expect(await cluster('orders-aurora')).toEqual({ ...before, DeletionProtection: true });
    expect(await cluster('reports-aurora')).toEqual(other);
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['ModifyDBCluster', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual({
      DeletionProtection: false,
      CopyTagsToSnapshot: false,
    });
    expect(JSON.parse(trail[2]?.after as string)).toEqual({
      DeletionProtection: true,
      CopyTagsToSnapshot: false,
    });

    expect(await undoApproved(id)).toBe('SUCCEEDED');
    expect(await cluster('orders-aurora')).toEqual(before);
  });

  it('RDS.16 on the same cluster within the hour is its own remediation: it copies tags to snapshots', async () => {
    h.sandbox.services.rds.seedCluster('ledger-aurora');
    const before = await cluster('ledger-aurora');
    const protection = clusterFinding('RDS.7', 'ledger-aurora', '000000000077');
    const tags = clusterFinding('RDS.16', 'ledger-aurora', '000000000016');

    await h.put(protection.event);
    await h.put(tags.event);

    expect(await cluster('ledger-aurora')).toEqual({
      ...before,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
    });
    expect((await steps(tags.id)).slice(-2)).toEqual([
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    expect(await undoApproved(tags.id)).toBe('SUCCEEDED');
    expect(await cluster('ledger-aurora')).toEqual({ ...before, DeletionProtection: true });
  });

  it('a cluster already copying tags is recorded and left as it is', async () => {
    h.sandbox.services.rds.seedCluster('copying-aurora', { copyTagsToSnapshot: true });
    const calls = modifies();
    const { event, id } = clusterFinding('RDS.16', 'copying-aurora', '000000000161');

    await h.put(event);

    expect(modifies()).toBe(calls);
    expect(await steps(id)).toEqual([
      ['classify', 'routed'],
      ['ModifyDBCluster', 'skipped'],
    ]);
  });

  it('in dry-run and in approve mode nothing changes before approval; approved, only the setting changes', async () => {
    h.sandbox.services.rds.seedCluster('staging-aurora');
    const before = await cluster('staging-aurora');
    const calls = modifies();
    const dry = clusterFinding('RDS.16', 'staging-aurora', '000000000162');

    expect((await executionEnded(h, await startDirectly(dry.event, 'dry-run'))).status).toBe('SUCCEEDED');
    expect(modifies()).toBe(calls);
    expect(await cluster('staging-aurora')).toEqual(before);
    expect(JSON.parse((await h.history(dry.id))[0]?.details as string).actions).toEqual([
      {
        action: 'ModifyDBCluster',
        dbClusterIdentifier: 'staging-aurora',
        control: 'RDS.16',
        setting: 'CopyTagsToSnapshot',
        value: true,
      },
    ]);

    const gated = clusterFinding('RDS.7', 'staging-aurora', '000000000071');
    const executionArn = await startDirectly(gated.event, 'approve');
    const notice = await waitFor('the approval request', () => approvalNotice(h, gated.id));
    expect(modifies()).toBe(calls);
    await desk.oncall.decide(notice.approvalId, 'approve', 'test');
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect(await cluster('staging-aurora')).toEqual({ ...before, DeletionProtection: true });
  });

  it('a cluster that does not exist is handed to a person (DBClusterNotFoundFault)', async () => {
    const { event, id } = clusterFinding('RDS.7', 'gone-aurora', '000000000700');

    expect((await executionEnded(h, await startDirectly(event, 'auto'))).status).toBe('FAILED');

    expect((await steps(id)).at(-1)).toEqual(['NeedsHuman', 'needs-human']);
  });
});
