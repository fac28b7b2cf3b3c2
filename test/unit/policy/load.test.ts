import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '#shared/errors.ts';
import { checkPlaybooks, loadPolicyFile, parsePolicy } from '#shared/policy/load.ts';
import { PolicySchema } from '#shared/policy/schema.ts';

/** The message of the PolicyError `action` throws. */
function policyErrorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).message;
  }
  throw new Error('expected a PolicyError');
}

const goodRules = `rules:
  - id: leaked-keys
    match: { resource: AccessKey }
    playbook: disable-access-key
    mode: auto
`;

describe('parsePolicy', () => {
  it('fills in the safe defaults', () => {
    const policy = parsePolicy(`version: 1\n${goodRules}`);
    expect(policy).toMatchObject({
      defaults: { mode: 'approve', approval: { timeoutMinutes: 60, onTimeout: 'abandon' } },
      samples: 'dry-run',
      protectedPrincipals: [],
      exemptions: [],
      blastRadius: { maxAutoActions: 20, windowMinutes: 60 },
    });
  });

  it('names file, line, column and field of an invalid mode', () => {
    const text = `version: 1
rules:
  - id: a
    match: {}
    mode: notify
  - id: b
    match: {}
    playbook: disable-access-key
    mode: sometimes
`;
    expect(policyErrorOf(() => parsePolicy(text, 'policy/default.yaml'))).toBe(
      'policy/default.yaml:9:11 rules[1].mode: expected one of auto|approve|dry-run|notify',
    );
  });

  it('names the line of a YAML syntax error', () => {
    const message = policyErrorOf(() => parsePolicy('version: 1\nrules:\n  - id: [a\n', 'p.yaml'));
    expect(message).toMatch(/^p\.yaml:4:1 /);
  });

  it('points at a misspelt field', () => {
    const text = `version: 1\nrules:\n  - id: a\n    match: { minseverity: High }\n    mode: notify\n`;
    expect(policyErrorOf(() => parsePolicy(text))).toBe(
      'policy.yaml:4:14 rules[0].match.minseverity: unknown field "minseverity"',
    );
  });

  it('requires a playbook unless the rule only notifies', () => {
    const text = `version: 1\nrules:\n  - id: a\n    match: {}\n    mode: auto\n`;
    expect(policyErrorOf(() => parsePolicy(text))).toBe(
      'policy.yaml:3:5 rules[0]: mode auto needs a playbook',
    );
  });

  it('rejects a playbook on a notify rule', () => {
    const text = `version: 1\nrules:\n  - id: a\n    match: {}\n    playbook: disable-access-key\n    mode: notify\n`;
    expect(policyErrorOf(() => parsePolicy(text))).toMatch(
      /^policy\.yaml:5:15 rules\[0\]\.playbook: a notify rule/,
    );
  });

  it('caps the blast radius at 1,000 automatic actions per window', () => {
    expect(
      parsePolicy(`version: 1\nblastRadius: { maxAutoActions: 1000 }\n${goodRules}`).blastRadius,
    ).toEqual({
      maxAutoActions: 1000,
      windowMinutes: 60,
    });
    const text = `version: 1\nblastRadius: { maxAutoActions: 1001 }\n${goodRules}`;
    expect(policyErrorOf(() => parsePolicy(text))).toMatch(/blastRadius\.maxAutoActions: .*1000/);
  });

  it('rejects duplicate rule ids', () => {
    const text = `version: 1\nrules:\n  - { id: a, match: {}, mode: notify }\n  - { id: a, match: {}, mode: notify }\n`;
    expect(policyErrorOf(() => parsePolicy(text))).toBe('policy.yaml:4:11 rules[1].id: duplicate id "a"');
  });

  it('explains that account ids must be quoted', () => {
    const text = `version: 1\nrules:\n  - { id: a, match: { accounts: [012345678901] }, mode: notify }\n`;
    expect(policyErrorOf(() => parsePolicy(text))).toMatch(
      /rules\[0\]\.match\.accounts\[0\]: expected a quoted 12-digit/,
    );
  });

  it('requires a reason on every exemption and reports every problem at once', () => {
    const text = `version: 2\nexemptions:\n  - id: lab\n    match: { accounts: ['111122223333'] }\n${goodRules}`;
    const lines = policyErrorOf(() => parsePolicy(text)).split('\n');
    expect(lines).toEqual([
      'policy.yaml:1:10 version: expected 1 (the only policy version)',
      'policy.yaml:3:5 exemptions[0].reason: expected a reason',
    ]);
  });

  it('produces a policy that its own schema accepts again (the Lambda re-validates the baked JSON)', () => {
    const policy = parsePolicy(`version: 1
severity: { adjustments: [ { id: prod, when: { tags: { environment: production } }, add: 2 } ] }
exemptions: [ { id: lab, reason: pentest, expires: '2030-01-01', match: { resourceIds: [AKIA*] } } ]
${goodRules}`);
    expect(PolicySchema.parse(JSON.parse(JSON.stringify(policy)))).toEqual(policy);
  });
});

describe('checkPlaybooks', () => {
  it('reports playbooks the registry does not know, with their line', () => {
    const policy = parsePolicy(
      `version: 1\n${goodRules}  - id: vm\n    match: {}\n    playbook: quarantine-instance\n`,
    );
    expect(checkPlaybooks(policy, ['disable-access-key'])).toEqual([
      'policy.yaml:9:15 rules[1].playbook: unknown playbook "quarantine-instance" (known: disable-access-key)',
    ]);
  });

  it('accepts a policy whose playbooks all exist', () => {
    expect(checkPlaybooks(parsePolicy(`version: 1\n${goodRules}`), ['disable-access-key'])).toEqual([]);
  });
});

describe('loadPolicyFile', () => {
  it('reads a file and reports errors against its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'version: 1\nrules: nope\n');
    expect(policyErrorOf(() => loadPolicyFile(file))).toBe(`${file}:2:8 rules: expected array`);
  });

  it('turns a missing file into a PolicyError', () => {
    expect(policyErrorOf(() => loadPolicyFile('/nonexistent/policy.yaml'))).toContain('ENOENT');
  });
});
