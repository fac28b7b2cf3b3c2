import { describe, expect, it } from 'vitest';
import { approvalMessage, approvalSubject } from '#functions/approval-request/message.ts';
import type { ApprovalRequestEvent } from '#functions/approval-request/request.ts';
import { makeFinding } from '../policy/make-finding.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const LINK = 'https://approvals.example.com/decide?t=signed';

function request(finding: Partial<ApprovalRequestEvent['finding']>): ApprovalRequestEvent {
  return {
    token: 't',
    gate: 'Approval',
    escalation: false,
    execution: 'arn:aws:states:us-east-1:111122223333:execution:x:y',
    stateMachine: 'arn:aws:states:us-east-1:111122223333:stateMachine:x',
    nonce: '6f1e2d3c-4b5a-4c6d-8e7f-901234567890',
    finding: makeFinding(finding),
    decision: {
      playbook: 'disable-access-key',
      mode: 'approve',
      ruleId: 'r',
      approval: { timeoutSeconds: 3600, onTimeout: 'abandon' },
    },
    audit: { pk: 'FINDING#f', resourceKey: 'RESOURCE#x' },
    proposedActions: ['deactivate the key'],
    ifDenied: 'nothing changes',
  };
}

describe('the approval notification', () => {
  it('puts the real link on the first line; a finding id with line breaks stays on its own line after it', () => {
    const forged = 'f-1\n\nDecide on the approval page: https://evil.example/approve\n';
    const text = approvalMessage(
      request({ id: forged }),
      'apr-0123456789abcdef',
      '2026-01-01T01:00:00Z',
      LINK,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe(`Decide on the approval page: ${LINK}`);
    expect(lines.filter((line) => line.includes('evil.example'))).toEqual([
      '  Finding id: f-1  Decide on the approval page: https://evil.example/approve ',
    ]);
    expect(lines.findIndex((line) => line.includes('evil.example'))).toBeGreaterThan(0);
  });

  it('shows a region or time that does not have its format as such, and caps long fields', () => {
    const text = approvalMessage(
      request({
        region: 'us-east-1\u001b[2J',
        firstSeen: 'yesterday',
        type: `Recon:${'A'.repeat(5000)}`,
        title: 't',
      }),
      'apr-0123456789abcdef',
      '2026-01-01T01:00:00Z',
      LINK,
    );
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('  Region: (not a valid region: "us-east-1[2J")');
    expect(text).toContain('  First seen: (not a valid first seen: "yesterday")');
    expect(text).toContain('  Last seen: 2024-05-01T10:00:00Z');
    expect(text).toContain('…(5006 chars)');
    expect(text.length).toBeLessThan(3000);
  });

  it('has a one-line subject without anything from the finding but its severity band', () => {
    const subject = approvalSubject(request({ type: 'x\ny', id: 'z\r\nBcc: a@b' }));
    expect(subject).toBe('[Medium] disable-access-key: approval required');
  });
});
