import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { REVOKE_ROLE_SESSIONS_POLICY } from '#shared/playbooks/revoke-role-sessions.ts';
import { approverWithKey, cliAs, executionEnded, putAndAwaitApproval, waitFor } from './approval-helpers.ts';
import { leakedKeyFinding, type StackHarness, startStack } from './harness.ts';
import { createIdentityCenterRole, inlinePolicyNames } from './role-fixtures.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-rita'));
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** GuardDuty's finding on a role's temporary credentials: the role by name, an ASIA key id. */
function roleCredentialsFinding(roleName: string, findingId: string) {
  const event = leakedKeyFinding('ASIAIOSFODNN7EXAMPLE', roleName, findingId);
  event.detail.type = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS';
  event.detail.resource.accessKeyDetails.userType = 'AssumedRole';
  return event;
}
const inlinePolicies = (roleName: string) => inlinePolicyNames(h, roleName);

describe('revoke-role-sessions, end to end through the sandbox', () => {
  it('once approved, denies the sessions of the role issued before now and audits it', async () => {
    const roleName = h.account.instanceRole.roleName;
    const event = roleCredentialsFinding(roleName, 'eeeeeeeeeeeeeeeeeeeeeeeeeeee0001');

    const notice = await putAndAwaitApproval(h, event);
    expect(notice.message.message).toContain(`Deny every session of IAM role ${roleName} issued before now`);
    expect(await inlinePolicies(roleName)).not.toContain(REVOKE_ROLE_SESSIONS_POLICY);
    const decided = await oncall.decide(notice.approvalId, 'approve', 'stolen instance credentials');
    expect(decided).toMatchObject({ ok: true, decided: 'approved' });
    const shown = await oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    const policy = await h.sandbox.clients.iam.send(
      new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_ROLE_SESSIONS_POLICY }),
    );
    const statement = JSON.parse(decodeURIComponent(policy.PolicyDocument as string)).Statement[0];
    expect(statement).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
    const issuedBefore = statement.Condition.DateLessThan['aws:TokenIssueTime'];
    expect(Date.parse(issuedBefore)).toBeGreaterThan(Date.now() - 120_000);
    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/revoke-role-sessions', 'RequestApproval', 'approval-required'],
      ['arn:aws:iam::111122223333:user/oncall-rita', 'DecideApproval', 'approved'],
      ['playbook/revoke-role-sessions', 'PutRolePolicy', 'succeeded'],
      ['playbook/revoke-role-sessions', 'Verify', 'verified'],
      ['playbook/revoke-role-sessions', 'Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[3]?.before as string)).toMatchObject({ roleName });
  });

  it('leaves an IAM Identity Center role alone and says why', async () => {
    const roleName = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
    await createIdentityCenterRole(h, roleName, 'sso.amazonaws.com');
    const event = roleCredentialsFinding(roleName, 'eeeeeeeeeeeeeeeeeeeeeeeeeeee0002');

    await h.put(event);

    const trail = await waitFor('the skip record', async () => {
      const records = await h.history(event.detail.id);
      return records.some((r) => r.outcome === 'skipped') ? records : undefined;
    });
    expect(trail.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/revoke-role-sessions', 'RevokeRoleSessions', 'skipped'],
    ]);
    expect(trail[1]?.reason).toMatch(/IAM Identity Center role/);
    expect(await inlinePolicies(roleName)).toEqual([]);
    expect(
      h.sandbox.services.sns.published.some(
        (m) =>
          (m.subject ?? '').includes('Identity Center role left alone') &&
          m.message.includes('revoke the sessions in IAM Identity Center'),
      ),
    ).toBe(true);
  });
});
