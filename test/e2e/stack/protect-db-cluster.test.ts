import { describe, expect, it } from 'vitest';
import { approvalNotice, executionEnded, waitFor } from './approval-helpers.ts';
import { startPlaybook } from './control-helpers.ts';
import { clusterFinding, rdsStack } from './rds-fixtures.ts';

const stack = rdsStack('oncall-rds-cluster');
const { cluster, steps, undoApproved } = stack;
const modifies = () => stack.calls('ModifyDBCluster');
/** Start the playbook on `event` directly, in `mode` (the classifier's input, without its routing). */
const startDirectly = (
  event: ReturnType<typeof clusterFinding>['event'],
  mode: 'auto' | 'dry-run' | 'approve',
) => startPlaybook(stack.h, 'protect-db-cluster', event, mode);

describe('protect-db-cluster (Security Hub RDS.7, RDS.16), end to end through the sandbox', () => {
  it('RDS.7 turns deletion protection on for that cluster only, verified; undo turns it off again', async () => {
    stack.h.sandbox.services.rds.seedCluster('orders-aurora', { autoMinorVersionUpgrade: true });
    stack.h.sandbox.services.rds.seedCluster('reports-aurora');
    const before = await cluster('orders-aurora');
    const other = await cluster('reports-aurora');
    const { event, id } = clusterFinding('RDS.7', 'orders-aurora', '000000000007');

    await stack.h.put(event);

    expect(await cluster('orders-aurora')).toEqual({ ...before, DeletionProtection: true });
    expect(await cluster('reports-aurora')).toEqual(other);
    const trail = await stack.h.history(id);
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
    stack.h.sandbox.services.rds.seedCluster('ledger-aurora');
    const before = await cluster('ledger-aurora');
    const protection = clusterFinding('RDS.7', 'ledger-aurora', '000000000077');
    const tags = clusterFinding('RDS.16', 'ledger-aurora', '000000000016');

    await stack.h.put(protection.event);
    await stack.h.put(tags.event);

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
    stack.h.sandbox.services.rds.seedCluster('copying-aurora', { copyTagsToSnapshot: true });
    const calls = modifies();
    const { event, id } = clusterFinding('RDS.16', 'copying-aurora', '000000000161');

    await stack.h.put(event);

    expect(modifies()).toBe(calls);
    expect(await steps(id)).toEqual([
      ['classify', 'routed'],
      ['ModifyDBCluster', 'skipped'],
    ]);
  });

  it('in dry-run and in approve mode nothing changes before approval; approved, only the setting changes', async () => {
    stack.h.sandbox.services.rds.seedCluster('staging-aurora');
    const before = await cluster('staging-aurora');
    const calls = modifies();
    const dry = clusterFinding('RDS.16', 'staging-aurora', '000000000162');

    expect((await executionEnded(stack.h, await startDirectly(dry.event, 'dry-run'))).status).toBe(
      'SUCCEEDED',
    );
    expect(modifies()).toBe(calls);
    expect(await cluster('staging-aurora')).toEqual(before);
    expect(JSON.parse((await stack.h.history(dry.id))[0]?.details as string).actions).toEqual([
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
    const notice = await waitFor('the approval request', () => approvalNotice(stack.h, gated.id));
    expect(modifies()).toBe(calls);
    await stack.desk.oncall.decide(notice.approvalId, 'approve', 'test');
    expect((await executionEnded(stack.h, executionArn)).status).toBe('SUCCEEDED');
    expect(await cluster('staging-aurora')).toEqual({ ...before, DeletionProtection: true });
  });

  it('a cluster that does not exist is handed to a person (DBClusterNotFoundFault)', async () => {
    const { event, id } = clusterFinding('RDS.7', 'gone-aurora', '000000000700');

    expect((await executionEnded(stack.h, await startDirectly(event, 'auto'))).status).toBe('FAILED');

    expect((await steps(id)).at(-1)).toEqual(['NeedsHuman', 'needs-human']);
  });
});
