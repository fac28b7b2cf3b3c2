import { describe, expect, it } from 'vitest';
import { checkApprovalId, InvalidApprovalIdError, printResponse } from '#cli/commands/approvals.ts';
import { parseReason } from '#cli/program/approvals.ts';
import type { CliResponse } from '#functions/approval-decision/cli-actions.ts';
import type { ApprovalView } from '#shared/approvals/model.ts';
import { recordOutput, runCli } from './run-cli.ts';

describe('remediate approvals approve|deny --reason', () => {
  it('refuses an empty or blank reason before contacting anything', () => {
    for (const reason of ['', '   ']) {
      const result = runCli(['approvals', 'approve', 'apr-0123456789abcdef', '--reason', reason]);

      // A usage error: exit 2 (docs/operations.md), not 1, which is kept for refusals.
      expect(result.status, JSON.stringify(reason)).toBe(2);
      expect(result.stderr).toMatch(/--reason.*cannot be empty/);
    }
  });

  it('keeps a reason that says something as written', () => {
    expect(parseReason(' false positive ')).toBe(' false positive ');
    expect(() => parseReason('\t')).toThrow(/cannot be empty/);
  });
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const HOSTILE = 'ok\u001b]0;pwned\u0007\u001b[2J\nDecided by: the CISO\u009b31m';

const approval: ApprovalView = {
  id: 'apr-0123456789abcdef',
  status: 'denied',
  effectiveStatus: 'denied',
  findingId: 'f-1\n  decided by nobody',
  finding: JSON.stringify({ resource: { kind: 'AccessKey', accessKeyId: 'AKIA\u001b[8mIOSFODNN7EXAMPLE' } }),
  playbook: 'disable-access-key',
  ruleId: 'leaked-keys',
  mode: 'approve',
  auditPk: 'FINDING#f-1',
  resourceKey: 'RESOURCE#x',
  executionArn: 'arn:aws:states:us-east-1:111122223333:execution:x:y',
  stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:x',
  gate: 'Approval',
  proposedActions: ['deactivate the key\u001b[2K'],
  ifDenied: 'nothing changes',
  onTimeout: 'abandon',
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T01:00:00.000Z',
  ttl: 1,
  escalated: false,
  decidedAt: '2026-01-01T00:10:00.000Z',
  decidedBy: 'arn:aws:iam::111122223333:user/oncall-ana',
  reason: HOSTILE,
};

describe('remediate approvals show', () => {
  it('prints a reason carrying escape sequences and line breaks as one clean line', () => {
    const response: CliResponse = {
      ok: true,
      approval,
      history: [
        {
          pk: 'FINDING#f-1',
          sk: 's',
          resourceKey: 'r',
          at: '2026-01-01T00:10:00.000Z',
          actor: 'arn:aws:iam::111122223333:user/oncall-ana\u001b[1A',
          action: 'DecideApproval',
          outcome: 'denied',
          reason: HOSTILE,
        },
      ],
    };
    const out = recordOutput();
    expect(printResponse(response, out, false)).toBe(0);
    for (const line of out.out) expect(line).not.toMatch(CONTROL);
    expect(out.out).toContain(
      '  decided 2026-01-01T00:10:00.000Z by arn:aws:iam::111122223333:user/oncall-ana: ok]0;pwned[2J Decided by: the CISO31m',
    );
    expect(out.out).toContain(
      '  playbook disable-access-key (rule leaked-keys), finding f-1   decided by nobody',
    );
  });

  it('lists pending approvals in a table whose cells hold no control characters', () => {
    const out = recordOutput();
    printResponse({ ok: true, approvals: [approval] }, out, false, new Date('2026-01-01T00:30:00Z'));
    const lines = out.out.join('\n').split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines[2]).toContain('AKIA[8mIOSFODNN7EXAMPLE  f-1   decided by nobody');
  });

  it('prints --json with every terminal-active character escaped, the same JSON value', () => {
    const out = recordOutput();
    const response: CliResponse = { ok: true, approval, history: [] };
    printResponse(response, out, true);
    expect(out.out).toHaveLength(1);
    expect(out.out[0]).not.toMatch(/[\u007f-\u009f]/);
    // The same value, with the finding (kept as JSON text in the record) as the object it encodes.
    expect(JSON.parse(out.out[0] ?? '')).toEqual({
      ...response,
      approval: { ...approval, finding: JSON.parse(approval.finding) },
    });
  });
});

describe('approval ids on the command line', () => {
  it('are checked by their format before any call', () => {
    expect(checkApprovalId('apr-0123456789abcdef')).toBe('apr-0123456789abcdef');
    expect(() => checkApprovalId('apr-1\u001b[2J')).toThrow(InvalidApprovalIdError);
    expect(() => checkApprovalId('../../etc')).toThrow(/is not an approval id/);
  });
});
