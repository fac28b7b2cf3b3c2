import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyFiles } from '#cli/commands/classify.ts';
import { recordOutput, repoRoot, runCli } from './run-cli.ts';

/** Public sample events, referenced from the repository root as a user would type them. */
const publicDir = 'examples/events';
const publicFiles = readdirSync(join(repoRoot, publicDir))
  .filter((name) => name.endsWith('.json'))
  .map((name) => `${publicDir}/${name}`);
const defaultPolicy = join(repoRoot, 'policy/default.yaml');

describe('remediate classify', () => {
  it('gives every public sample event a definite, explained outcome (bin, --json)', () => {
    // Act
    const result = runCli(['classify', ...publicFiles, '--json']);
    // Assert
    expect(result.status).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(new Set(rows.map((row) => row.file))).toEqual(new Set(publicFiles));
    for (const row of rows) {
      expect(['routed', 'skipped', 'exempt', 'rejected']).toContain(row.outcome);
      expect(row.reason.length).toBeGreaterThan(10);
      expect(row.severity).toEqual({ score: expect.any(Number), label: expect.any(String) });
    }
  });

  it('prints an aligned table with a header by default', () => {
    const output = recordOutput();
    const files = [join(repoRoot, 'test/fixtures/events/guardduty-iam-credential-exfiltration.json')];
    const exitCode = classifyFiles(files, { policy: defaultPolicy, json: false }, output);
    expect(exitCode).toBe(0);
    const [header, row] = output.out;
    expect(header).toMatch(/^FILE\s+OUTCOME\s+PLAYBOOK\s+MODE\s+SEVERITY\s+REASON$/);
    expect(row).toMatch(/routed\s+disable-access-key\s+auto\s+8 High\s+rule guardduty-iam-user-credentials/);
    expect(row?.indexOf('routed')).toBe(header?.indexOf('OUTCOME'));
  });

  it('prints one JSON object per finding, two for a Security Hub event carrying two', () => {
    const output = recordOutput();
    const file = join(repoRoot, 'test/fixtures/events/securityhub-two-findings.json');
    classifyFiles([file], { policy: defaultPolicy, json: true }, output);
    expect(output.out.map((line) => JSON.parse(line).outcome)).toEqual(['routed', 'routed']);
  });

  it('exits 2 on an unreadable file, after classifying the readable ones', () => {
    const output = recordOutput();
    const good = join(repoRoot, 'test/fixtures/events/cloudtrail-stop-logging.json');
    const exitCode = classifyFiles(['missing.json', good], { policy: defaultPolicy, json: true }, output);
    expect(exitCode).toBe(2);
    expect(output.err[0]).toMatch(/^missing\.json: cannot read the event: ENOENT/);
    expect(output.out).toHaveLength(1);
  });

  it('exits 2 on a policy that does not load', () => {
    const result = runCli(['classify', '--policy', 'no-such-policy.yaml', publicFiles[0] ?? '']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no-such-policy.yaml: cannot read the policy file (ENOENT)');
  });
});

describe('remediate classify with a folder', () => {
  it('classifies every *.json event file in it', () => {
    const output = recordOutput();
    expect(
      classifyFiles([join(repoRoot, 'examples/events')], { policy: defaultPolicy, json: true }, output),
    ).toBe(0);
    const files = new Set(output.out.map((line) => JSON.parse(line).file));
    expect(files.size).toBe(
      readdirSync(join(repoRoot, 'examples/events')).filter((f) => f.endsWith('.json')).length,
    );
  });
});
