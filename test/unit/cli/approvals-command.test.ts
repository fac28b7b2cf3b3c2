import { describe, expect, it } from 'vitest';
import { parseReason } from '#cli/commands/approvals.ts';
import { runCli } from './run-cli.ts';

describe('remediate approvals approve|deny --reason', () => {
  it('refuses an empty or blank reason before contacting anything', () => {
    for (const reason of ['', '   ']) {
      const result = runCli(['approvals', 'approve', 'apr-0123456789abcdef', '--reason', reason]);

      expect(result.status, JSON.stringify(reason)).toBe(1);
      expect(result.stderr).toMatch(/--reason.*cannot be empty/);
    }
  });

  it('keeps a reason that says something as written', () => {
    expect(parseReason(' false positive ')).toBe(' false positive ');
    expect(() => parseReason('\t')).toThrow(/cannot be empty/);
  });
});
