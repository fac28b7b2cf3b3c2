import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { checkPolicy, testPolicy } from '#cli/commands/policy.ts';
import { buildApp } from '#infra/app.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { loadPolicyFile, parsePolicy } from '#shared/policy/load.ts';
import {
  CLOUDTRAIL_EVENT_KINDS,
  checkPolicyPlaybooks,
  handOverCycle,
} from '#shared/policy/playbook-checks.ts';
import { playbooks } from '#statemachines/registry.ts';
import { repoRoot } from '../cli/run-cli.ts';

const policyFile = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'policy-checks-')), 'policy.yaml');
  writeFileSync(file, text);
  return file;
};
const record = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, log: (line: string) => out.push(line), error: (line: string) => err.push(line) };
};

/** What each of the three front doors says about a policy: the same errors, or none. */
function verdicts(file: string) {
  const check = record();
  const checkExit = checkPolicy(file, check);
  const test = record();
  const testExit = testPolicy(join(repoRoot, 'policy/tests'), file, test);
  let synth: string[] = [];
  try {
    buildApp(new App({ context: { policyFile: file } }));
  } catch (error) {
    synth = (error as Error).message.split('\n');
  }
  return { checkExit, check: check.err.slice(0, -1), testExit, test: test.err.join('\n').split('\n'), synth };
}

describe('policy check, policy test and synth refuse the same policies, with file:line', () => {
  it('a next: after a playbook that does not hand over', () => {
    const file = policyFile(
      [
        'version: 1',
        'rules:',
        '  - id: reimage-then-quarantine',
        '    match: { source: guardduty, resource: Instance }',
        '    playbook: snapshot-and-reimage',
        '    mode: auto',
        '    next: { playbook: quarantine-instance }',
        '',
      ].join('\n'),
    );
    const { checkExit, check, testExit, test, synth } = verdicts(file);
    expect(check).toEqual([
      `${file}:7:11 rules[0].next: rule reimage-then-quarantine: playbook snapshot-and-reimage does not hand over, so it cannot have a next: (playbooks that do: quarantine-instance)`,
    ]);
    expect(checkExit).toBe(1);
    // `policy test` cannot run its cases on a policy it refuses: an input error (docs/operations.md).
    expect(testExit).toBe(2);
    expect(test).toEqual(check);
    expect(synth).toEqual(check);
  });

  it('a rule that routes findings of another resource kind to a playbook', () => {
    const file = policyFile(
      [
        'version: 1',
        'rules:',
        '  - id: keys-to-quarantine',
        '    match: { source: guardduty, resource: AccessKey }',
        '    playbook: quarantine-instance',
        '  - id: trail-to-quarantine',
        '    match: { source: cloudtrail, type: StopLogging }',
        '    playbook: quarantine-instance',
        '  - id: anything-to-quarantine',
        '    match: { source: guardduty }',
        '    playbook: quarantine-instance',
        '',
      ].join('\n'),
    );
    const { checkExit, check, test, synth } = verdicts(file);
    expect(check).toEqual([
      `${file}:5:15 rules[0].playbook: rule keys-to-quarantine routes AccessKey findings to quarantine-instance, which acts on Instance only`,
      `${file}:8:15 rules[1].playbook: rule trail-to-quarantine routes Trail findings to quarantine-instance, which acts on Instance only`,
      `${file}:11:15 rules[2].playbook: rule anything-to-quarantine could route a finding of any resource kind to quarantine-instance, which acts on Instance only: add match.resource: [Instance]`,
    ]);
    expect(checkExit).toBe(1);
    expect(test).toEqual(check);
    expect(synth).toEqual(check);
  });

  it('a rule that routes a Security Hub control to a playbook that does not name it', () => {
    const file = policyFile(
      [
        'version: 1',
        'rules:',
        '  - id: ssh-to-bucket-block',
        '    match: { source: securityhub, resource: Bucket, controls: [S3.8, EC2.13] }',
        '    playbook: block-bucket-public-access',
        '    mode: auto',
        '',
      ].join('\n'),
    );
    const { checkExit, check, test, synth } = verdicts(file);
    expect(check).toEqual([
      `${file}:4:63 rules[0].match.controls: rule ssh-to-bucket-block routes control EC2.13 to block-bucket-public-access, which does not remediate it (its controls: S3.2, S3.3, S3.8)`,
    ]);
    expect(checkExit).toBe(1);
    expect(test).toEqual(check);
    expect(synth).toEqual(check);
  });

  it('finds nothing wrong with the shipped default policy', () => {
    const policy = loadPolicyFile(join(repoRoot, 'policy/default.yaml'));
    expect(checkPolicyPlaybooks(policy, playbooks)).toEqual([]);
  });
});

describe('handOverCycle', () => {
  it('finds hand-overs that lead back to where they started', () => {
    const policy = parsePolicy(
      [
        'version: 1',
        'rules:',
        '  - { id: a, match: { resource: Instance }, playbook: quarantine-instance, next: { playbook: snapshot-and-reimage } }',
        '  - { id: b, match: { resource: Instance }, playbook: snapshot-and-reimage, next: { playbook: quarantine-instance } }',
        '',
      ].join('\n'),
    );
    expect(handOverCycle(policy)).toEqual([
      'quarantine-instance',
      'snapshot-and-reimage',
      'quarantine-instance',
    ]);
  });
});

describe('CLOUDTRAIL_EVENT_KINDS', () => {
  const dir = join(repoRoot, 'test/fixtures/events');
  const samples = readdirSync(dir).filter((name) => name.startsWith('cloudtrail-'));

  it.each(samples)('says the resource kind the normalizer gives %s', (name) => {
    const result = normalizeEvent(JSON.parse(readFileSync(join(dir, name), 'utf8')));
    // A call that failed is no finding (recorded as skipped): it has no resource kind to check.
    if (!result.ok) return;
    for (const finding of result.findings)
      expect(CLOUDTRAIL_EVENT_KINDS[finding.type], finding.type).toBe(finding.resource.kind);
  });
});
