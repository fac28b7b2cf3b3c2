import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { CloudTrailService } from '#sandbox/services/cloudtrail.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { S3Service } from '#sandbox/services/s3.ts';
import { SnsService } from '#sandbox/services/sns.ts';
import { StsService } from '#sandbox/services/sts.ts';

const run = promisify(execFile);
const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasAws) console.warn('Skipping the AWS CLI tests: `aws` is not on PATH (CI installs it).');

const server = new SandboxServer();
const iamService = new IamService();
const snsService = new SnsService();
const cloudTrailService = new CloudTrailService();
const s3Service = new S3Service();
server.register(iamService);
server.register(new StsService({ iam: iamService }));
server.register(snsService);
server.register(cloudTrailService);
server.register(s3Service);
let endpoint: string;

interface CliKeys {
  accessKeyId: string;
  secretAccessKey: string;
}
const defaultKeys: CliKeys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

/** The environment without any AWS settings of the machine running the tests, plus ours. */
function cliEnvironment(keys: CliKeys): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  return {
    ...inherited,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Run `aws <args>` against the sandbox and parse its JSON output (`{}` when it prints nothing). */
async function aws(args: string[], keys: CliKeys = defaultKeys): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    'aws',
    ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args],
    {
      env: cliEnvironment(keys),
    },
  );
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

/**
 * A timestamp as the CLI prints it: v1 (without a config file) prints the wire value, for
 * JSON protocols epoch seconds; v2 prints ISO 8601 with microseconds (`…05.952000+00:00`),
 * which `Date.parse` refuses until trimmed to milliseconds.
 */
function cliTime(value: unknown): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  return Date.parse(String(value).replace(/(\.\d{3})\d+/, '$1'));
}

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

// Each CLI call starts a Python interpreter (seconds, for v2), hence the generous timeout.
describe.skipIf(!hasAws)('the AWS CLI against the sandbox', { timeout: 120_000 }, () => {
  it('creates a user and rotates its access key out', async () => {
    const created = await aws(['iam', 'create-user', '--user-name', 'cli-user']);
    const { AccessKey } = (await aws(['iam', 'create-access-key', '--user-name', 'cli-user'])) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string };
    };
    const listed = await aws(['iam', 'list-access-keys', '--user-name', 'cli-user']);
    await aws([
      'iam',
      'update-access-key',
      '--user-name',
      'cli-user',
      '--access-key-id',
      AccessKey.AccessKeyId,
      '--status',
      'Inactive',
    ]);
    const afterUpdate = await aws(['iam', 'list-access-keys', '--user-name', 'cli-user']);

    expect(created).toMatchObject({
      User: { UserName: 'cli-user', Arn: iamService.user(SANDBOX_ACCOUNT_ID, 'cli-user')?.arn, Path: '/' },
    });
    expect(AccessKey).toMatchObject({
      AccessKeyId: expect.stringMatching(/^AKIA[A-Z0-9]{16}$/),
      Status: 'Active',
    });
    expect(listed).toMatchObject({
      AccessKeyMetadata: [{ UserName: 'cli-user', AccessKeyId: AccessKey.AccessKeyId, Status: 'Active' }],
    });
    expect(afterUpdate).toMatchObject({
      AccessKeyMetadata: [{ AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' }],
    });
    expect(iamService.accessKey(SANDBOX_ACCOUNT_ID, AccessKey.AccessKeyId)?.status).toBe('Inactive');
  });

  it('reports an unknown user as NoSuchEntity and exits non-zero', async () => {
    const failing = aws(['iam', 'get-user', '--user-name', 'nobody']);

    await expect(failing).rejects.toMatchObject({ stderr: expect.stringContaining('NoSuchEntity') });
  });

  it('answers get-caller-identity with the IAM user whose key signs the call', async () => {
    await aws(['iam', 'create-user', '--user-name', 'whoami']);
    const { AccessKey } = (await aws(['iam', 'create-access-key', '--user-name', 'whoami'])) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string };
    };

    const identity = await aws(['sts', 'get-caller-identity'], {
      accessKeyId: AccessKey.AccessKeyId,
      secretAccessKey: AccessKey.SecretAccessKey,
    });

    expect(identity).toEqual({
      UserId: iamService.user(SANDBOX_ACCOUNT_ID, 'whoami')?.userId,
      Account: SANDBOX_ACCOUNT_ID,
      Arn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:user/whoami`,
    });
  });

  it("is refused when it signs with a wrong secret, or with a key that is no one's", async () => {
    // One after the other: a second call failing while the first is awaited would go unhandled.
    const wrongSecret = aws(['sts', 'get-caller-identity'], { ...defaultKeys, secretAccessKey: 'guess' });
    await expect(wrongSecret).rejects.toMatchObject({
      stderr: expect.stringContaining('(SignatureDoesNotMatch)'),
    });
    const unknownKey = aws(['iam', 'list-users'], { ...defaultKeys, accessKeyId: 'AKIANOSUCHKEY0000001' });
    await expect(unknownKey).rejects.toMatchObject({
      stderr: expect.stringContaining('(InvalidClientTokenId)'),
    });
  });

  it('publishes to an SNS topic', async () => {
    const { TopicArn } = (await aws(['sns', 'create-topic', '--name', 'cli-alerts'])) as { TopicArn: string };

    const published = await aws([
      'sns',
      'publish',
      '--topic-arn',
      TopicArn,
      '--subject',
      'Key disabled',
      '--message',
      'AKIA... was set Inactive',
    ]);

    expect(published).toEqual({ MessageId: snsService.published.at(-1)?.messageId });
    expect(snsService.published.at(-1)).toMatchObject({ topicArn: TopicArn, subject: 'Key disabled' });
  });

  it('reads a trail status once logging has started', async () => {
    await aws(['cloudtrail', 'create-trail', '--name', 'cli-trail', '--s3-bucket-name', 'trail-logs']);
    await aws(['cloudtrail', 'start-logging', '--name', 'cli-trail']);

    const status = await aws(['cloudtrail', 'get-trail-status', '--name', 'cli-trail']);

    const trail = cloudTrailService.trail(SANDBOX_ACCOUNT_ID, 'cli-trail');
    expect(status.IsLogging).toBe(true);
    expect(cliTime(status.StartLoggingTime)).toBe(trail?.startLoggingTime?.getTime());
  });

  it('reads a bucket public access block with s3api', async () => {
    await aws(['s3api', 'create-bucket', '--bucket', 'cli-bucket']);
    await aws([
      's3api',
      'put-public-access-block',
      '--bucket',
      'cli-bucket',
      '--public-access-block-configuration',
      'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
    ]);

    const block = await aws(['s3api', 'get-public-access-block', '--bucket', 'cli-bucket']);

    expect(block).toEqual({
      PublicAccessBlockConfiguration: s3Service.bucket('cli-bucket')?.publicAccessBlock,
    });
    expect(s3Service.bucket('cli-bucket')?.publicAccessBlock?.RestrictPublicBuckets).toBe(true);
  });
});
