import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { parseStackConfig } from '#infra/config.ts';

describe('deploy-time configuration', () => {
  it('fails synth with the file, line and field of a bad policy', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'rules:',
        '  - id: leaked-key',
        '    match: { source: guardduty }',
        '    playbook: disable-access-key',
        '    mode: sometimes',
        '',
      ].join('\n'),
    );
    expect(() => buildApp(new App({ context: { policyFile: file } }))).toThrow(
      /bad\.yaml:6:\d+ rules\[0\]\.mode/,
    );
  });

  it('refuses a policy that names a playbook the stack does not have', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    const file = path.join(dir, 'unknown.yaml');
    writeFileSync(
      file,
      'version: 1\nrules:\n  - id: r1\n    match: {}\n    playbook: format-hard-drive\n    mode: auto\n',
    );
    expect(() => buildApp(new App({ context: { policyFile: file } }))).toThrow(/format-hard-drive/);
  });

  it('refuses a follow-up (next:) after a playbook that does not hand over', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    const file = path.join(dir, 'next.yaml');
    writeFileSync(
      file,
      'version: 1\nrules:\n  - id: r1\n    match: {}\n    playbook: disable-access-key\n    mode: auto\n    next: { playbook: snapshot-and-reimage }\n',
    );
    expect(() => buildApp(new App({ context: { policyFile: file } }))).toThrow(
      /rule r1: playbook disable-access-key does not hand over.*quarantine-instance/,
    );
  });

  it('caps the classifier with reserved concurrency when asked, and only then', () => {
    const capped = Template.fromStack(
      buildApp(new App({ context: { classifierConcurrency: '25' } })).stack,
    ).findResources('AWS::Lambda::Function', { Properties: { ReservedConcurrentExecutions: 25 } });
    expect(Object.values(capped).map((f) => f.Properties.Description)).toEqual([
      expect.stringMatching(/classifies findings/),
    ]);
    expect(() => parseStackConfig({ classifierConcurrency: '0' })).toThrow(/-c classifierConcurrency/);
  }, 60_000);

  it('names the context key that is wrong', () => {
    expect(() => parseStackConfig({ notificationEmail: 'not-an-email' })).toThrow(/-c notificationEmail/);
    expect(() => parseStackConfig({ logRetentionDays: 'forever' })).toThrow(/-c logRetentionDays/);
  });

  it('reads booleans and numbers given as strings on the command line', () => {
    expect(parseStackConfig({ dryRun: 'true', logRetentionDays: '30' })).toMatchObject({
      dryRun: true,
      logRetentionDays: 30,
    });
    expect(parseStackConfig({})).toMatchObject({ dryRun: false, policyFile: 'policy/default.yaml' });
  });
});
