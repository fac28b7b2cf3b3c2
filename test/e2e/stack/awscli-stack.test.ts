import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedKeyFinding, type StackHarness, startStack } from './harness.ts';

const run = promisify(execFile);
// The Debian package's CLI when present (what CI installs), else whatever `aws` is on PATH.
const AWS = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
const hasAws = spawnSync(AWS, ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasAws) console.warn('Skipping the AWS CLI stack test: no `aws` CLI (CI installs the Debian awscli).');

let h: StackHarness;

/** Run the real AWS CLI against the sandbox and parse its JSON output. */
async function aws(...args: string[]): Promise<any> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  const { stdout } = await run(
    AWS,
    ['--endpoint-url', h.sandbox.endpoint, '--region', 'us-east-1', '--output', 'json', ...args],
    {
      env: {
        ...env,
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
      },
    },
  );
  return stdout.trim() ? JSON.parse(stdout) : {};
}

describe.skipIf(!hasAws)('the AWS CLI against the deployed stack in the sandbox', () => {
  beforeAll(async () => {
    h = await startStack();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('creates a user and key, sees the seeded network, puts a finding, and reads the execution and the audit trail', async () => {
    await aws('iam', 'create-user', '--user-name', 'carol');
    const created = await aws('iam', 'create-access-key', '--user-name', 'carol');
    const keyId: string = created.AccessKey.AccessKeyId;
    expect(keyId).toMatch(/^AKIA[A-Z0-9]{16}$/);

    const [instances, groups] = await Promise.all([
      aws('ec2', 'describe-instances', '--instance-ids', h.account.instance.id),
      aws('ec2', 'describe-security-groups', '--group-ids', h.account.securityGroups.web),
    ]);
    const instance = instances.Reservations[0].Instances[0];
    expect(instance.InstanceId).toBe(h.account.instance.id);
    expect(instance.NetworkInterfaces).toHaveLength(2);
    expect(groups.SecurityGroups[0].IpPermissions[0]).toMatchObject({ FromPort: 443, ToPort: 443 });

    const finding = leakedKeyFinding(keyId, 'carol', 'cccccccccccccccccccccccccccccc01');
    const entries = [
      { Source: finding.source, DetailType: finding['detail-type'], Detail: JSON.stringify(finding.detail) },
    ];
    const put = await aws('events', 'put-events', '--entries', JSON.stringify(entries));
    expect(put.FailedEntryCount).toBe(0);
    await h.sandbox.idle();

    const keys = await aws('iam', 'list-access-keys', '--user-name', 'carol');
    expect(keys.AccessKeyMetadata).toEqual([
      expect.objectContaining({ AccessKeyId: keyId, Status: 'Inactive' }),
    ]);

    const stateMachineArn = h.sandbox.deployment?.stateMachines[0]?.arn as string;
    const [listed, scanned] = await Promise.all([
      aws('stepfunctions', 'list-executions', '--state-machine-arn', stateMachineArn),
      aws('dynamodb', 'scan', '--table-name', h.auditTable),
    ]);
    expect(listed.executions).toContainEqual(
      expect.objectContaining({ status: 'SUCCEEDED', stateMachineArn }),
    );
    const records = (scanned.Items as Record<string, any>[])
      .map((item) => unmarshall(item))
      .filter((r) => r.findingId === finding.detail.id)
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    expect(records.map((r) => r.action)).toEqual([
      'classify',
      'UpdateAccessKey',
      'PutUserPolicy',
      'TagUser',
      'Complete',
    ]);
  }, 180_000);
});
