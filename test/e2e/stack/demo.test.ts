import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('npm start (remediate demo)', () => {
  it('runs the scenario offline, contains the leaked key once, and exits 0', async () => {
    // Without the test runner's SDK setting: the CLI itself keeps the SDK's Node-version notice out.
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _set, ...env } = process.env;
    const { stdout, stderr } = await run(process.execPath, ['bin/remediate.js', 'demo'], {
      cwd: ROOT,
      timeout: 120_000,
      env: { ...env, AWS_ENDPOINT_URL: '', AWS_PROFILE: '' },
    });
    const lines = stdout.split('\n');

    // One story: nothing on stderr, no function log (JSON) or bundling output among the lines,
    // every line at most 100 columns, one time format, one summary, at the end.
    expect(stderr).toBe('');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    expect(stdout).not.toMatch(/Bundling asset|Done in \d+ms|⚡|NodeVersionSupportWarning/);
    expect(lines.filter((l) => l.length > 100)).toEqual([]);
    expect(stdout).not.toMatch(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/);
    expect(stdout.match(/^\d{2}:\d{2}:\d{2}\.\d{3} /gm)?.length).toBeGreaterThan(10);
    expect(stdout.match(/^Summary/gm)).toHaveLength(1);
    const summary = stdout.slice(stdout.indexOf('\nSummary'));
    expect(stdout.indexOf('\nSummary')).toBeGreaterThan(
      stdout.indexOf('Audit trail of the instance finding'),
    );
    expect(stdout.indexOf('\nSummary')).toBeGreaterThan(stdout.indexOf('Access keys now'));
    // Detection to containment for every row that contained something.
    const contained = summary.split('\n').filter((l) => /\scontained\s/.test(l));
    expect(contained).toHaveLength(6);
    for (const row of contained) expect(row).toMatch(/contained\s+\d+ ms$/);
    // The functions' logs went to the file, and the findings were this run's: every
    // ContainmentLatency the functions emitted is seconds, not the fixtures' weeks.
    const log = readFileSync(path.join(ROOT, '.sandbox/demo.log'), 'utf8').split('\n');
    const latencies = log
      .filter((l) => l.includes('"ContainmentLatency"'))
      .map((l) => (JSON.parse(l) as { ContainmentLatency: number }).ContainmentLatency);
    expect(latencies.length).toBeGreaterThanOrEqual(6);
    for (const ms of latencies) expect(ms).toBeLessThan(60_000);
    const row = (label: string) => summary.split('\n').find((l) => l.startsWith(label)) ?? '';

    expect(row('leaked key (alice)')).toMatch(/disable-access-key\s+auto\s+contained\s+\d+ ms/);
    expect(row('same finding, count 3')).toMatch(/duplicate/);
    expect(row('AWS sample finding (bob)')).toMatch(/dry-run\s+planned/);
    expect(row('malformed event')).toMatch(/rejected/);
    expect(row('EC2 C&C activity')).toMatch(/quarantine-instance\s+auto\s+contained/);
    // The quarantine handed over to snapshot-and-reimage: evidence taken, then re-imaged once approved.
    expect(stdout).toMatch(/evidence of i-[0-9a-f]{17}: snap-[0-9a-f]{17} \(vol-[0-9a-f]{17}, completed\)/);
    const reimaged =
      /re-image succeeded: root volume (vol-[0-9a-f]{17}) \(image (ami-[0-9a-f]{17})\)\n\s+→ (vol-[0-9a-f]{17}) \(image (ami-[0-9a-f]{17})\)/.exec(
        stdout,
      );
    expect(reimaged?.[1]).not.toBe(reimaged?.[3]);
    expect(reimaged?.[4]).toBe(reimaged?.[2]);
    expect(stdout).toMatch(/alice\s+AKIA[A-Z0-9]{16}\s+Inactive\s+<- the leaked key/);
    expect(stdout.match(/alice\s+AKIA[A-Z0-9]{16}\s+Active/g)).toHaveLength(1);
    expect(stdout).toMatch(/bob\s+AKIA[A-Z0-9]{16}\s+Active/);
    expect(stdout).toMatch(/dave's key is now Inactive/);
    expect(stdout).toMatch(/1 event\(s\) in the classify dead-letter queue/);
    // The drift findings, from CloudTrail and from Config.
    expect(row('SSH open to 0.0.0.0/0')).toMatch(/revoke-open-ingress\s+auto\s+contained/);
    expect(row('CloudTrail StopLogging')).toMatch(/restart-cloudtrail-logging\s+auto\s+contained/);
    expect(row('bucket policy made public')).toMatch(/block-bucket-public-access\s+auto\s+contained/);
    expect(row('Config: RDP open (jump hosts)')).toMatch(/revoke-open-ingress\s+auto\s+contained/);
    // It ends with a verified audit timeline of the instance finding, its whole story.
    expect(stdout).toMatch(/Verified: \d+ chain\(s\), \d+ record\(s\), intact\./);
    const timeline = stdout.slice(
      stdout.indexOf('Audit trail of the instance finding'),
      stdout.indexOf('Access keys now'),
    );
    expect(timeline).toMatch(
      /^Audit trail of the instance finding \(remediate audit --finding [0-9a-f]{32}\):/,
    );
    for (const step of [
      'IsolateNetworkInterfaces',
      'CreateSnapshots',
      'DecideApproval',
      'ReplaceRootVolume',
    ]) {
      expect(timeline).toContain(step);
    }
    expect(timeline).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} +user\/oncall-evidence +DecideApproval +approved$/m);
  }, 150_000);
});
