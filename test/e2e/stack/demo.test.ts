import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('npm start (remediate demo)', () => {
  it('runs the scenario offline, contains the leaked key once, and exits 0', async () => {
    const { stdout } = await run(process.execPath, ['bin/remediate.js', 'demo'], {
      cwd: ROOT,
      timeout: 120_000,
      env: { ...process.env, AWS_ENDPOINT_URL: '', AWS_PROFILE: '' },
    });
    const row = (label: string) => stdout.split('\n').find((l) => l.startsWith(label)) ?? '';

    expect(row('leaked key (alice)')).toMatch(/disable-access-key\s+auto\s+contained\s+\d+ ms/);
    expect(row('same finding, count 3')).toMatch(/duplicate/);
    expect(row('AWS sample finding (bob)')).toMatch(/dry-run\s+planned/);
    expect(row('malformed event')).toMatch(/rejected/);
    expect(row('EC2 C&C activity')).toMatch(/quarantine-instance\s+auto\s+contained/);
    // The quarantine handed over to snapshot-and-reimage: evidence taken, then re-imaged once approved.
    expect(stdout).toMatch(/evidence of i-[0-9a-f]{17}: snap-[0-9a-f]{17} \(vol-[0-9a-f]{17}, completed\)/);
    const reimaged =
      /re-image succeeded: root volume (vol-[0-9a-f]{17}) \(image (ami-[0-9a-f]{17})\) → (vol-[0-9a-f]{17}) \(image (ami-[0-9a-f]{17})\)/.exec(
        stdout,
      );
    expect(reimaged?.[1]).not.toBe(reimaged?.[3]);
    expect(reimaged?.[4]).toBe(reimaged?.[2]);
    expect(stdout).toMatch(/alice\s+AKIA[A-Z0-9]{16}\s+Inactive\s+← the leaked key/);
    expect(stdout.match(/alice\s+AKIA[A-Z0-9]{16}\s+Active/g)).toHaveLength(1);
    expect(stdout).toMatch(/bob\s+AKIA[A-Z0-9]{16}\s+Active/);
    expect(stdout).toMatch(/playbook\/disable-access-key\s+UpdateAccessKey\s+succeeded/);
    expect(stdout).toMatch(/1 event\(s\) in the classify dead-letter queue/);
    // The drift findings, from CloudTrail and from Config.
    expect(row('SSH open to 0.0.0.0/0')).toMatch(/revoke-open-ingress\s+auto\s+contained/);
    expect(row('CloudTrail StopLogging')).toMatch(/restart-cloudtrail-logging\s+auto\s+contained/);
    expect(row('bucket policy made public')).toMatch(/block-bucket-public-access\s+auto\s+contained/);
    expect(row('Config: RDP open (jump hosts)')).toMatch(/revoke-open-ingress\s+auto\s+contained/);
    // It ends with a verified audit timeline of the instance finding, its whole story.
    expect(stdout).toMatch(/Verified: \d+ chain\(s\), \d+ record\(s\), intact\./);
    const timeline = stdout.slice(stdout.indexOf('remediate audit --finding'));
    expect(timeline).toMatch(/^remediate audit --finding \S+ {2}\(chain verified\)/);
    for (const step of [
      'IsolateNetworkInterfaces',
      'CreateSnapshots',
      'DecideApproval',
      'ReplaceRootVolume',
    ]) {
      expect(timeline).toContain(step);
    }
    expect(timeline).toMatch(/\d+ record\(s\), 1 finding\(s\)\./);
  }, 150_000);
});
