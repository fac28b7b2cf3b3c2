import { describe, expect, it } from 'vitest';
import { approvalNotice, executionEnded, waitFor } from './approval-helpers.ts';
import { startPlaybook } from './control-helpers.ts';
import { instanceFinding, rdsStack } from './rds-fixtures.ts';

const stack = rdsStack('oncall-rds');
const { instance, steps, undoApproved } = stack;
const modifies = () => stack.calls('ModifyDBInstance');
/** Start the playbook on `event` directly, in `mode` (the classifier's input, without its routing). */
const startDirectly = (
  event: ReturnType<typeof instanceFinding>['event'],
  mode: 'auto' | 'dry-run' | 'approve',
) => startPlaybook(stack.h, 'protect-db-instance', event, mode);

describe('protect-db-instance (Security Hub RDS.8), end to end through the sandbox', () => {
  it('turns deletion protection on for that instance only, verified, and undo turns it off again', async () => {
    // A pending class change stays pending: applying it now could mean an outage now.
    stack.h.sandbox.services.rds.seedInstance('orders-db', {
      publiclyAccessible: true,
      copyTagsToSnapshot: true,
      pendingInstanceClass: 'db.r6g.large',
    });
    stack.h.sandbox.services.rds.seedInstance('reports-db');
    const before = await instance('orders-db');
    const other = await instance('reports-db');
    const { event, id } = instanceFinding('RDS.8', 'orders-db', '000000000008');

    await stack.h.put(event);

    expect(await instance('orders-db')).toEqual({ ...before, DeletionProtection: true });
    expect(await instance('reports-db')).toEqual(other);
    const trail = await stack.h.history(id);
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
    stack.h.sandbox.services.rds.seedInstance('ledger-db', { deletionProtection: true });
    const modifies = stack.h.sandbox.server.calls.filter((c) => c.operation === 'ModifyDBInstance').length;
    const { event, id } = instanceFinding('RDS.8', 'ledger-db', '000000000081');

    await stack.h.put(event);

    expect(stack.h.sandbox.server.calls.filter((c) => c.operation === 'ModifyDBInstance').length).toBe(
      modifies,
    );
    expect((await stack.h.history(id)).map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['ModifyDBInstance', 'skipped'],
    ]);
  });

  it('RDS.2 waits for approval, then turns public access off and nothing else; undo makes it public again', async () => {
    stack.h.sandbox.services.rds.seedInstance('storefront-db', {
      publiclyAccessible: true,
      pendingInstanceClass: 'db.r6g.large',
    });
    const before = await instance('storefront-db');
    const { event, id } = instanceFinding('RDS.2', 'storefront-db', '000000000002');

    await stack.h.put(event);
    const notice = await waitFor('the approval request', () => approvalNotice(stack.h, id));
    expect((await instance('storefront-db'))?.PubliclyAccessible).toBe(true);
    await stack.desk.oncall.decide(notice.approvalId, 'approve', 'no client outside the VPC');
    await executionEnded(stack.h, (await stack.h.history(id))[0]?.executionArn as string);

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
    stack.h.sandbox.services.rds.seedInstance('billing-db', { publiclyAccessible: true });
    const before = await instance('billing-db');
    const publicAccess = instanceFinding('RDS.2', 'billing-db', '000000000022');
    const minorUpgrades = instanceFinding('RDS.13', 'billing-db', '000000000013');
    const again = instanceFinding('RDS.13', 'billing-db', '000000000131');

    await stack.h.put(publicAccess.event);
    const notice = await waitFor('the approval request', () => approvalNotice(stack.h, publicAccess.id));
    await stack.h.put(minorUpgrades.event);
    await stack.h.put(again.event);

    expect(await instance('billing-db')).toEqual({ ...before, AutoMinorVersionUpgrade: true });
    expect((await steps(minorUpgrades.id)).slice(-2)).toEqual([
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(await steps(again.id)).toEqual([['classify', 'duplicate']]);
    expect((await stack.h.history(again.id))[0]?.reason).toContain(
      'AutoMinorVersionUpgrade of this resource',
    );

    await stack.desk.oncall.decide(notice.approvalId, 'deny', 'a partner connects from outside');
    await executionEnded(stack.h, (await stack.h.history(publicAccess.id))[0]?.executionArn as string);
    expect(await instance('billing-db')).toEqual({ ...before, AutoMinorVersionUpgrade: true });
  });

  it('in dry-run records the one setting it would change, and changes nothing', async () => {
    stack.h.sandbox.services.rds.seedInstance('archive-db');
    const before = await instance('archive-db');
    const calls = modifies();
    const { event, id } = instanceFinding('RDS.13', 'archive-db', '000000000113');

    expect((await executionEnded(stack.h, await startDirectly(event, 'dry-run'))).status).toBe('SUCCEEDED');

    expect(modifies()).toBe(calls);
    expect(await instance('archive-db')).toEqual(before);
    const [plan] = await stack.h.history(id);
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
    stack.h.sandbox.services.rds.seedInstance('stopped-db', { status: 'stopped' });
    const before = await instance('stopped-db');
    const { event, id } = instanceFinding('RDS.13', 'stopped-db', '000000001313');

    expect((await executionEnded(stack.h, await startDirectly(event, 'auto'))).status).toBe('FAILED');

    expect(await instance('stopped-db')).toEqual(before);
    expect((await steps(id)).at(-1)).toEqual(['NeedsHuman', 'needs-human']);
  });
});
