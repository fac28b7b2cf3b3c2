import { describe, expect, it, vi } from 'vitest';
import { DENIED_ERROR, type DecisionDeps, decide } from '#functions/approval-decision/decide.ts';
import { deriveApprovalKeys } from '#shared/approvals/keys.ts';
import { type ApprovalRecord, approvalId } from '#shared/approvals/model.ts';
import { hashToken, sealToken } from '#shared/approvals/sealed-token.ts';

const keys = deriveApprovalKeys('secret');
const token = `AQ${'t'.repeat(128)}`;
const now = new Date('2025-06-01T12:00:00Z');
const id = approvalId('arn:aws:states:us-east-1:111122223333:execution:m:e', 'Gate');

function pendingRecord(): ApprovalRecord {
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
    executionArn: 'arn:aws:states:us-east-1:111122223333:execution:m:e',
    stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:m',
    gate: 'Gate',
    proposedActions: ['do it'],
    ifDenied: 'nothing',
    onTimeout: 'abandon',
    createdAt: '2025-06-01T11:00:00Z',
    expiresAt: '2025-06-01T13:00:00Z',
    ttl: 0,
    tokenHash: hashToken(token),
    sealedToken: sealToken(keys.seal, token, id),
    nonce: 'n1',
    escalated: false,
  };
}

/** An approvals table of one record whose claim is atomic, as DynamoDB's conditional write is. */
function fakeDeps(sfnError?: Error) {
  let record = pendingRecord();
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const deps: DecisionDeps = {
    store: {
      get: async () => structuredClone(record),
      claim: async (r, change) => {
        await Promise.resolve();
        if (record.status !== 'pending' || record.nonce !== r.nonce) return false;
        record = {
          ...record,
          status: change.status,
          decidedBy: change.decidedBy,
          decidedAt: change.at.toISOString(),
        };
        return true;
      },
      release: vi.fn(async () => {
        record = { ...record, status: 'pending' };
      }),
      history: async () => [],
      pending: async () => [record],
    },
    sfn: {
      send: vi.fn(async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        if (sfnError) throw sfnError;
        sent.push({ name: command.constructor.name, input: command.input });
        return {};
      }) as unknown as DecisionDeps['sfn']['send'],
    },
    audit: { append: vi.fn(async (r) => ({ ...r, sk: 'x' })) },
    keys: async () => keys,
    now: () => now,
  };
  return { deps, sent, current: () => record };
}

describe('deciding an approval', () => {
  it('lets exactly one of two concurrent decisions through, and answers the token once', async () => {
    const { deps, sent } = fakeDeps();

    const outcomes = await Promise.all([
      decide({ id, verdict: 'approve', decidedBy: 'arn:aws:iam::1:user/a', reason: 'checked' }, deps),
      decide({ id, verdict: 'deny', decidedBy: 'arn:aws:iam::1:user/b', reason: 'not yet' }, deps),
    ]);

    expect(outcomes.map((o) => o.kind).sort()).toEqual(['already-decided', 'decided']);
    expect(sent).toHaveLength(1);
    expect(deps.audit.append).toHaveBeenCalledTimes(1);
  });

  it('denies with SendTaskFailure and the error the gate catches, carrying approver and reason', async () => {
    const { deps, sent } = fakeDeps();

    await decide({ id, verdict: 'deny', decidedBy: 'arn:aws:iam::1:user/a', reason: 'pentest' }, deps);

    expect(sent).toEqual([
      {
        name: 'SendTaskFailureCommand',
        input: {
          taskToken: token,
          error: DENIED_ERROR,
          cause: expect.stringContaining('"reason":"pentest"'),
        },
      },
    ]);
  });

  it('refuses a decision without a reason (empty or blanks): nothing claimed, answered or audited', async () => {
    const { deps, sent, current } = fakeDeps();

    const outcomes = await Promise.all(
      ['', '   ', '\n\t'].map((reason) =>
        decide({ id, verdict: 'approve', decidedBy: 'arn:aws:iam::1:user/a', reason }, deps),
      ),
    );

    expect(outcomes.map((o) => o.kind)).toEqual(['no-reason', 'no-reason', 'no-reason']);
    expect(sent).toEqual([]);
    expect(current().status).toBe('pending');
    expect(deps.audit.append).not.toHaveBeenCalled();
  });

  it('refuses a link of an older wait and one for an unknown request without a call', async () => {
    const { deps, sent } = fakeDeps();

    const older = await decide(
      { id, verdict: 'approve', decidedBy: 'page', reason: 'checked', nonce: 'n0' },
      deps,
    );

    expect(older.kind).toBe('superseded');
    expect(sent).toEqual([]);
  });

  it('reports a wait Step Functions already ended as expired and puts the request back', async () => {
    const timedOut = Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
    const { deps, current } = fakeDeps(timedOut);

    const outcome = await decide(
      { id, verdict: 'approve', decidedBy: 'arn:aws:iam::1:user/a', reason: 'checked' },
      deps,
    );

    expect(outcome.kind).toBe('expired');
    expect(deps.store.release).toHaveBeenCalled();
    expect(current().status).toBe('pending');
    expect(deps.audit.append).not.toHaveBeenCalled();
  });
});
