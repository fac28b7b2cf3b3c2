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

  it.each(['yes', '1', 'True', 'TRUE', 'on', ''])(
    'stops synth on dryRun=%j rather than deploy live remediation',
    (value) => {
      expect(() => buildApp(new App({ context: { dryRun: value } }))).toThrow(
        /-c dryRun: expected true or false/,
      );
    },
  );

  it('reads dryRun as true or false only, from the command line or cdk.json', () => {
    expect(parseStackConfig({ dryRun: 'false' }).dryRun).toBe(false);
    expect(parseStackConfig({ dryRun: true }).dryRun).toBe(true);
    expect(parseStackConfig({ dryRun: false }).dryRun).toBe(false);
  });

  it('stops synth on a misspelled setting, naming the one meant', () => {
    expect(() => buildApp(new App({ context: { dryrun: 'true' } }))).toThrow(
      /-c dryrun: not a setting of this app; did you mean dryRun\?/,
    );
    expect(() => parseStackConfig({ notificationEmal: 'secops@example.com' })).toThrow(
      /-c notificationEmal: .*did you mean notificationEmail\?/,
    );
    expect(() => parseStackConfig({ region: 'eu-west-1' })).toThrow(/did you mean regions\?/);
    // CDK's own context and keys unlike ours are not ours to judge.
    expect(() =>
      parseStackConfig({
        '@aws-cdk/core:newStyleStackSynthesis': true,
        'aws:cdk:enable-path-metadata': true,
      }),
    ).not.toThrow();
    expect(() => parseStackConfig({ vpcId: 'vpc-1234' })).not.toThrow();
  });

  it('accepts only the retention periods CloudWatch Logs allows', () => {
    expect(() => buildApp(new App({ context: { logRetentionDays: '100' } }))).toThrow(
      /-c logRetentionDays: expected one of CloudWatch's retention periods: 1, 3, 5, .*3653/,
    );
    for (const days of ['1', '731', '1096', '3653'])
      expect(parseStackConfig({ logRetentionDays: days }).logRetentionDays).toBe(Number(days));
    for (const days of ['0', '9999', '30.5', '-7'])
      expect(() => parseStackConfig({ logRetentionDays: days }), days).toThrow(/-c logRetentionDays/);
  });
});
