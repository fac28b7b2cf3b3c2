import { describe, expect, it } from 'vitest';
import { ApprovalNotRecordedError, checkDecision } from '#functions/approval-request/check.ts';
import { type ApprovalRecord, approvalId } from '#shared/approvals/model.ts';

const execution = 'arn:aws:states:us-east-1:111122223333:execution:m:e';
const id = approvalId(execution, 'Gate');

function recordOf(change: Partial<ApprovalRecord>): ApprovalRecord {
  return {
    id,
    status: 'pending',
    findingId: 'f1',
    finding: '{}',
    playbook: 'disable-access-key',
    ruleId: 'r',
    mode: 'approve',
    auditPk: 'FINDING#f1',
    resourceKey: 'RESOURCE#x',
    executionArn: execution,
    stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:m',
    gate: 'Gate',
    proposedActions: ['do it'],
    ifDenied: 'nothing',
    onTimeout: 'abandon',
    createdAt: '2025-06-01T11:00:00Z',
    expiresAt: '2025-06-01T13:00:00Z',
    ttl: 0,
    tokenHash: 'a'.repeat(64),
    sealedToken: 'sealed-token-text',
    nonce: 'nonce-of-this-wait',
    escalated: false,
    ...change,
  };
}

const approved = {
  status: 'approved',
  decidedBy: 'arn:aws:iam::111122223333:user/oncall-ana',
  decidedAt: '2025-06-01T12:00:00.000Z',
} as const;
const check = (
  verdict: 'approved' | 'denied',
  record: ApprovalRecord | undefined,
  nonce = 'nonce-of-this-wait',
) =>
  checkDecision({ check: verdict, execution, gate: 'Gate', nonce }, async (asked) =>
    asked === id ? record : undefined,
  );

describe('checking the answer to an approval wait', () => {
  it('goes on with the decision the decision function recorded, and nothing secret', async () => {
    const decision = await check('approved', recordOf(approved));

    expect(decision).toEqual({ approvalId: id, ...approved });
    expect(JSON.stringify(decision)).not.toMatch(/sealed-token-text|nonce-of-this-wait|aaaa/);
  });

  it('goes on with a recorded denial', async () => {
    const decision = await check('denied', recordOf({ ...approved, status: 'denied' }));

    expect(decision.status).toBe('denied');
  });

  it.each([
    [
      'a SendTaskSuccess while the request is still pending',
      'approved',
      recordOf({}),
      undefined,
      `${id} is pending`,
    ],
    [
      'a SendTaskFailure while the request is still pending',
      'denied',
      recordOf({}),
      undefined,
      `${id} is pending`,
    ],
    [
      'an approval answered on a request recorded as denied',
      'approved',
      recordOf({ ...approved, status: 'denied' }),
      undefined,
      `${id} is denied`,
    ],
    [
      'a decision recorded for another wait',
      'approved',
      recordOf(approved),
      'nonce-of-an-older-wait',
      're-issued for another wait',
    ],
    ['no request at all', 'approved', undefined, undefined, `no approval request ${id}`],
    [
      'a decision with no approver',
      'approved',
      recordOf({ status: 'approved' }),
      undefined,
      'records no approver',
    ],
  ] as const)('refuses %s', async (_, verdict, record, nonce, why) => {
    const refused = check(verdict, record, nonce);

    await expect(refused).rejects.toThrow(ApprovalNotRecordedError);
    await expect(refused).rejects.toThrow(why);
    await expect(refused).rejects.toHaveProperty('name', 'ApprovalNotRecordedError');
  });
});
