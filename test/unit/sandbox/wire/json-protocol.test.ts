import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { CloudTrailService } from '#sandbox/services/cloudtrail.ts';
import { KmsService } from '#sandbox/services/kms.ts';
import { SecretsManagerService } from '#sandbox/services/secretsmanager.ts';
import { jsonCall } from './signed-request.ts';

const server = new SandboxServer();
server.register(new CloudTrailService());
server.register(new KmsService());
server.register(new SecretsManagerService());
let endpoint: string;
const config = () => ({ endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});
afterAll(() => server.close());

describe('JSON protocol, read and written from the SDK model', () => {
  it('round-trips booleans, lists and timestamps through a real client', async () => {
    const cloudtrail = new CloudTrailClient(config());
    const before = Date.now();
    const created = await cloudtrail.send(
      new CreateTrailCommand({ Name: 'org-trail', S3BucketName: 'logs', IsMultiRegionTrail: true }),
    );
    await cloudtrail.send(new StartLoggingCommand({ Name: 'org-trail' }));
    const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: created.TrailARN }));
    const { trailList } = await cloudtrail.send(new DescribeTrailsCommand({ trailNameList: ['org-trail'] }));

    expect(created.IsMultiRegionTrail).toBe(true);
    // CreateTrail's output shape has no HomeRegion: the model leaves it out, as AWS does.
    expect(created).not.toHaveProperty('HomeRegion');
    expect(status.IsLogging).toBe(true);
    expect(status.StartLoggingTime).toBeInstanceOf(Date);
    expect(status.StartLoggingTime?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(trailList?.map((t) => [t.Name, t.HomeRegion])).toEqual([['org-trail', 'us-east-1']]);
  });

  it('round-trips blobs and nested structures (KMS HMAC keys)', async () => {
    const kms = new KMSClient(config());
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );
    const message = new TextEncoder().encode('digest');
    const mac = await kms.send(
      new GenerateMacCommand({ KeyId: KeyMetadata?.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    const verified = await kms.send(
      new VerifyMacCommand({
        KeyId: KeyMetadata?.Arn,
        Message: message,
        Mac: mac.Mac,
        MacAlgorithm: 'HMAC_SHA_256',
      }),
    );

    expect(KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    expect(KeyMetadata?.MacAlgorithms).toEqual(['HMAC_SHA_256']);
    expect(mac.Mac).toHaveLength(32);
    expect(verified.MacValid).toBe(true);
  });

  it('round-trips maps of lists and integer options (Secrets Manager)', async () => {
    const secrets = new SecretsManagerClient(config());
    const created = await secrets.send(new CreateSecretCommand({ Name: 'link-key', SecretString: 's3cr3t' }));
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: created.ARN }));
    const { RandomPassword } = await secrets.send(
      new GetRandomPasswordCommand({ PasswordLength: 12, ExcludePunctuation: true }),
    );

    expect(described.VersionIdsToStages).toEqual({ [created.VersionId as string]: ['AWSCURRENT'] });
    expect(described.CreatedDate).toBeInstanceOf(Date);
    expect(RandomPassword).toMatch(/^[A-Za-z0-9]{12}$/);
  });

  it('refuses an unknown member with SerializationException', async () => {
    const answer = await jsonCall(endpoint, 'cloudtrail', 'CloudTrail_20131101.CreateTrail', {
      Name: 'typo-trail',
      S3BucketName: 'logs',
      IsMultiRegion: true,
    });
    expect([answer.status, answer.code]).toEqual([400, 'SerializationException']);
    expect(answer.message).toContain('IsMultiRegion');
  });

  it('refuses a missing required member with ValidationException naming it', async () => {
    const answer = await jsonCall(endpoint, 'cloudtrail', 'CloudTrail_20131101.CreateTrail', {
      Name: 'no-bucket',
    });
    expect([answer.status, answer.code]).toEqual([400, 'ValidationException']);
    expect(answer.message).toContain("Value null at 's3BucketName'");
  });

  it('refuses a value of the wrong type with SerializationException', async () => {
    const answer = await jsonCall(endpoint, 'cloudtrail', 'CloudTrail_20131101.CreateTrail', {
      Name: 'typed-trail',
      S3BucketName: 'logs',
      IsMultiRegionTrail: 'yes',
    });
    expect([answer.status, answer.code]).toEqual([400, 'SerializationException']);
  });

  it('refuses a value outside the enum with ValidationException listing the allowed values', async () => {
    const answer = await jsonCall(endpoint, 'kms', 'TrentService.CreateKey', { KeySpec: 'HMAC_999' });
    expect([answer.status, answer.code]).toEqual([400, 'ValidationException']);
    expect(answer.message).toContain("Value 'HMAC_999' at 'keySpec'");
    expect(answer.message).toContain('HMAC_256');
  });

  it('refuses an operation the service does not serve', async () => {
    const answer = await jsonCall(endpoint, 'kms', 'TrentService.ScheduleKeyDeletion', { KeyId: 'k' });
    expect([answer.status, answer.code]).toEqual([400, 'UnknownOperationException']);
  });
});
