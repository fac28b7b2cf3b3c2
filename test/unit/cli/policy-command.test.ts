import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPolicy, testPolicy } from '#cli/commands/policy.ts';
import { playbookNames } from '#statemachines/registry.ts';
import { recordOutput, repoRoot, runCli } from './run-cli.ts';

const defaultPolicy = join(repoRoot, 'policy/default.yaml');

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'remediate-cli-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('remediate policy check', () => {
  it('accepts the shipped default policy', () => {
    const output = recordOutput();
    expect(checkPolicy(defaultPolicy, output)).toBe(0);
    expect(output.out[0]).toMatch(/^OK .*default\.yaml: \d+ rules/);
  });

  it('names the line of a playbook that does not exist and exits 1', () => {
    const file = tempFile(
      'policy.yaml',
      'version: 1\nrules:\n  - id: vm\n    match: {}\n    playbook: quarantine-everything\n    mode: auto\n',
    );
    const output = recordOutput();
    expect(checkPolicy(file, output)).toBe(1);
    expect(output.err[0]).toBe(
      `${file}:5:15 rules[0].playbook: unknown playbook "quarantine-everything" (known: ${playbookNames.join(', ')})`,
    );
  });

  it('reports schema errors one per line', () => {
    const file = tempFile('policy.yaml', 'version: 1\nrules:\n  - id: a\n    match: {}\n    mode: often\n');
    const output = recordOutput();
    expect(checkPolicy(file, output)).toBe(1);
    expect(output.err).toEqual([
      `${file}:5:11 rules[0].mode: expected one of auto|approve|dry-run|notify`,
      `1 error in ${file}`,
    ]);
  });

  it('works from the package bin with the default file', () => {
    const result = runCli(['policy', 'check']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('OK policy/default.yaml');
  });
});

describe('remediate policy test', () => {
  it('passes every shipped case against the default policy', () => {
    const output = recordOutput();
    const exitCode = testPolicy(join(repoRoot, 'policy/tests'), defaultPolicy, output);
    expect(output.out.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(exitCode).toBe(0);
    expect(output.out.at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/);
  });

  it('reports a failing case with the actual outcome and exits 1', () => {
    const casesFile = tempFile(
      'cases.yaml',
      `- name: garbage is rejected
  event: { hello: world }
  expect: { outcome: rejected }
- name: garbage is routed (wrong on purpose)
  event: { hello: world }
  expect: { outcome: routed, playbook: disable-access-key }
`,
    );
    const output = recordOutput();
    const exitCode = testPolicy(join(casesFile, '..'), defaultPolicy, output);
    expect(exitCode).toBe(1);
    expect(output.out[0]).toMatch(/^pass .*garbage is rejected$/);
    expect(output.out[1]).toMatch(/^FAIL .*garbage is routed/);
    expect(output.out[2]).toContain('expected outcome routed, got rejected');
    expect(output.out.at(-1)).toBe('1 passed, 1 failed');
  });
});

describe('a policy that attacks the reader', () => {
  const bomb = () =>
    tempFile(
      'bomb.yaml',
      `version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
rules: []
`,
    );

  it('an alias bomb stops `remediate classify` with exit 2 and one line naming the file and line', () => {
    const file = bomb();
    const result = runCli([
      'classify',
      '--policy',
      file,
      'test/fixtures/events/guardduty-iam-credential-exfiltration.json',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${file}:3:8 aliases (*name) expand into more than 100 copies: refused as a resource exhaustion attack (write the values out instead)`,
    ]);
  });

  it('an alias bomb is a policy error for `policy check`, with its line', () => {
    const file = bomb();
    const output = recordOutput();
    expect(checkPolicy(file, output)).toBe(1);
    expect(output.err[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:8 aliases`));
  });

  it('refuses a wildcard-only approver and an absurd blast radius, with file:line', () => {
    const file = tempFile(
      'unsafe.yaml',
      'version: 1\nblastRadius:\n  maxAutoActions: 9007199254740991\napprovals:\n  approvers: ["*"]\nrules: []\n',
    );
    const output = recordOutput();
    expect(checkPolicy(file, output)).toBe(1);
    expect(output.err[0]).toMatch(`${file}:3:19 blastRadius.maxAutoActions: at most 1000`);
    expect(output.err[1]).toMatch(`${file}:5:15 approvals.approvers[0]: expected an IAM user or role ARN`);
  });
});

describe('remediate policy test: what it runs', () => {
  it('takes one case file', () => {
    const output = recordOutput();
    expect(testPolicy(join(repoRoot, 'policy/tests/iam-credentials.yaml'), defaultPolicy, output)).toBe(0);
    expect(output.out.at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/);
  });

  it('an empty folder and a missing path are input errors in one line (exit 2)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'remediate-empty-'));
    const output = recordOutput();
    expect(testPolicy(empty, defaultPolicy, output)).toBe(2);
    expect(output.err).toEqual([
      `${empty}: no *.yaml case files in this folder (see policy/tests for the format)`,
    ]);
    const missing = recordOutput();
    expect(testPolicy(join(empty, 'nope'), defaultPolicy, missing)).toBe(2);
    expect(missing.err[0]).toMatch(/nope: no such file or folder/);
  });

  it('policy schema prints the JSON Schema of a policy file', () => {
    const result = runCli(['policy', 'schema']);
    expect(result.status).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.properties.rules.items.properties.mode.enum).toEqual([
      'auto',
      'approve',
      'dry-run',
      'notify',
    ]);
  });
});
