import { describe, expect, it } from 'vitest';
import { PolicyError } from '#shared/errors.ts';
import { type EvaluationContext, evaluatePolicy } from '#shared/policy/evaluate.ts';
import { checkPlaybooks, parsePolicy } from '#shared/policy/load.ts';
import { runPolicyTestCase } from '#shared/policy/test-cases.ts';
import { makeFinding } from './make-finding.ts';

const ctx: EvaluationContext = { now: new Date('2024-06-01T12:00:00Z'), recentAutoActions: 0 };

const policyWith = (rule: string, extra = '') => parsePolicy(`version: 1\n${extra}\nrules:\n${rule}`);

const containThenReimage = `
  - id: contain
    match: { resource: AccessKey }
    playbook: disable-access-key
    mode: auto
    next:
      playbook: snapshot-and-reimage
      params: { goldenImageId: ami-0123456789abcdef0 }
`;

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as Error).message;
  }
  throw new Error('expected a PolicyError');
}

describe('follow-up playbooks (next:)', () => {
  it('resolves the follow-up with the defaults: mode and approval settings, params kept', () => {
    const policy = policyWith(
      containThenReimage,
      'defaults: { mode: approve, approval: { timeoutMinutes: 30 } }',
    );

    const decision = evaluatePolicy(policy, makeFinding(), ctx);

    expect(decision).toMatchObject({
      outcome: 'routed',
      playbook: 'disable-access-key',
      mode: 'auto',
      next: {
        playbook: 'snapshot-and-reimage',
        mode: 'approve',
        approval: { timeoutMinutes: 30, onTimeout: 'abandon' },
        params: { goldenImageId: 'ami-0123456789abcdef0' },
      },
    });
  });

  it('keeps an auto follow-up without approval settings', () => {
    const policy = policyWith(
      containThenReimage.replace(
        'playbook: snapshot-and-reimage',
        'playbook: snapshot-and-reimage\n      mode: auto',
      ),
    );
    const decision = evaluatePolicy(policy, makeFinding(), ctx);
    expect(decision).toMatchObject({ next: { playbook: 'snapshot-and-reimage', mode: 'auto' } });
    expect(decision.outcome === 'routed' && decision.next).not.toHaveProperty('approval');
  });

  it('runs the follow-up of an AWS sample finding as a dry run too', () => {
    const policy = policyWith(containThenReimage);
    const decision = evaluatePolicy(policy, makeFinding({ sample: true }), ctx);
    expect(decision).toMatchObject({ mode: 'dry-run', next: { mode: 'dry-run' } });
  });

  it('refuses a follow-up on a notify rule, a playbook following itself, and notify as its mode', () => {
    expect(
      errorOf(() =>
        policyWith(`
  - id: tell
    match: {}
    mode: notify
    next: { playbook: snapshot-and-reimage }
`),
      ),
    ).toMatch(/rules\[0\]\.next.*nothing can follow/s);
    expect(
      errorOf(() =>
        policyWith(`
  - id: loop
    match: {}
    playbook: quarantine-instance
    next: { playbook: quarantine-instance }
`),
      ),
    ).toMatch(/cannot follow itself/);
    expect(
      errorOf(() =>
        policyWith(`
  - id: odd
    match: {}
    playbook: quarantine-instance
    next: { playbook: snapshot-and-reimage, mode: notify }
`),
      ),
    ).toMatch(/expected one of auto\|approve\|dry-run/);
  });

  it('names an unknown follow-up playbook with its line', () => {
    const policy = policyWith(`
  - id: contain
    match: {}
    playbook: quarantine-instance
    next: { playbook: rebuild-everything }
`);
    expect(checkPlaybooks(policy, ['quarantine-instance', 'snapshot-and-reimage'])).toEqual([
      expect.stringMatching(/:\d+:\d+ rules\[0\]\.next\.playbook: unknown playbook "rebuild-everything"/),
    ]);
  });

  it('lets a policy test expect the follow-up, and fails when it differs', () => {
    const policy = policyWith(containThenReimage);
    const event = {
      source: 'aws.guardduty',
      'detail-type': 'GuardDuty Finding',
      detail: makeGuardDutyKeyFindingDetail(),
    };
    const pass = runPolicyTestCase(
      policy,
      {
        name: 'ok',
        event,
        expect: { outcome: 'routed', next: { playbook: 'snapshot-and-reimage', mode: 'approve' } },
      },
      '/tmp/case.yaml',
    );
    const fail = runPolicyTestCase(
      policy,
      { name: 'wrong', event, expect: { outcome: 'routed', next: { playbook: 'quarantine-instance' } } },
      '/tmp/case.yaml',
    );
    expect(pass.failures).toEqual([]);
    expect(fail.failures[0]).toBe('expected next quarantine-instance, got snapshot-and-reimage');
  });
});

/** A minimal GuardDuty credential finding detail (an IAM user's access key). */
function makeGuardDutyKeyFindingDetail() {
  return {
    schemaVersion: '2.0',
    accountId: '111122223333',
    region: 'us-east-1',
    id: 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    severity: 8,
    createdAt: '2024-06-01T11:00:00.000Z',
    updatedAt: '2024-06-01T11:00:00.000Z',
    resource: {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        principalId: 'AIDAEXAMPLE',
        userName: 'alice',
        userType: 'IAMUser',
      },
    },
    service: { count: 1 },
  };
}
