import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { CloudTrailService } from '#sandbox/services/cloudtrail.ts';

const server = new SandboxServer();
const cloudTrailService = new CloudTrailService();
server.register(cloudTrailService);
let endpoint: string;

function cloudTrailClient(options: { region?: string; maxAttempts?: number } = {}): CloudTrailClient {
  return new CloudTrailClient({
    endpoint,
    region: options.region ?? 'us-east-1',
    maxAttempts: options.maxAttempts,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' },
  });
}

function trailArn(name: string): string {
  return `arn:aws:cloudtrail:us-east-1:${SANDBOX_ACCOUNT_ID}:trail/${name}`;
}

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('CloudTrail trails', () => {
  it('creates a trail that describe and get return, not yet logging', async () => {
    const cloudtrail = cloudTrailClient();

    const created = await cloudtrail.send(
      new CreateTrailCommand({ Name: 'org-audit', S3BucketName: 'audit-logs', IsMultiRegionTrail: true }),
    );
    const described = await cloudtrail.send(new DescribeTrailsCommand({ trailNameList: ['org-audit'] }));
    const fetched = await cloudtrail.send(new GetTrailCommand({ Name: trailArn('org-audit') }));
    const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: 'org-audit' }));

    expect(created).toMatchObject({
      Name: 'org-audit',
      TrailARN: trailArn('org-audit'),
      S3BucketName: 'audit-logs',
    });
    expect(described.trailList).toEqual([
      expect.objectContaining({ Name: 'org-audit', HomeRegion: 'us-east-1', IsMultiRegionTrail: true }),
    ]);
    expect(fetched.Trail?.TrailARN).toBe(trailArn('org-audit'));
    expect(status.IsLogging).toBe(false);
  });

  it('refuses a duplicate trail name and an invalid one', async () => {
    const cloudtrail = cloudTrailClient();
    await cloudtrail.send(new CreateTrailCommand({ Name: 'taken', S3BucketName: 'logs' }));

    const duplicate = cloudtrail.send(new CreateTrailCommand({ Name: 'taken', S3BucketName: 'logs' }));
    const invalid = cloudtrail.send(new CreateTrailCommand({ Name: '-bad name', S3BucketName: 'logs' }));

    // Both calls are in flight at once: mark the later one handled so its rejection is not reported
    // as unhandled while the first is awaited; the expectation below still checks it.
    invalid.catch(() => undefined);
    await expect(duplicate).rejects.toMatchObject({ name: 'TrailAlreadyExistsException' });
    await expect(invalid).rejects.toMatchObject({ name: 'InvalidTrailNameException' });
  });

  it('shows a single-region trail only in its home region', async () => {
    await cloudTrailClient().send(new CreateTrailCommand({ Name: 'local-only', S3BucketName: 'logs' }));

    const elsewhere = await cloudTrailClient({ region: 'eu-west-1' }).send(new DescribeTrailsCommand({}));
    const status = cloudTrailClient({ region: 'eu-west-1' }).send(
      new GetTrailStatusCommand({ Name: 'local-only' }),
    );

    expect(elsewhere.trailList?.map((t) => t.Name)).not.toContain('local-only');
    await expect(status).rejects.toMatchObject({ name: 'TrailNotFoundException' });
  });

  it('deletes a trail, after which it is TrailNotFound', async () => {
    const cloudtrail = cloudTrailClient();
    await cloudtrail.send(new CreateTrailCommand({ Name: 'short-lived', S3BucketName: 'logs' }));

    await cloudtrail.send(new DeleteTrailCommand({ Name: trailArn('short-lived') }));

    await expect(cloudtrail.send(new GetTrailCommand({ Name: 'short-lived' }))).rejects.toMatchObject({
      name: 'TrailNotFoundException',
      message: `Unknown trail: ${trailArn('short-lived')} for the user: ${SANDBOX_ACCOUNT_ID}`,
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('rejects a malformed trail ARN', async () => {
    const status = cloudTrailClient().send(
      new GetTrailStatusCommand({ Name: 'arn:aws:cloudtrail:nonsense' }),
    );

    await expect(status).rejects.toMatchObject({ name: 'CloudTrailARNInvalidException' });
  });
});

describe('CloudTrail logging', () => {
  it('reports start and stop times as the trail is started, stopped and restarted', async () => {
    const cloudtrail = cloudTrailClient();
    await cloudtrail.send(new CreateTrailCommand({ Name: 'management', S3BucketName: 'logs' }));
    const beforeStart = new Date();

    await cloudtrail.send(new StartLoggingCommand({ Name: 'management' }));
    const logging = await cloudtrail.send(new GetTrailStatusCommand({ Name: 'management' }));
    await cloudtrail.send(new StopLoggingCommand({ Name: trailArn('management') }));
    const stopped = await cloudtrail.send(new GetTrailStatusCommand({ Name: 'management' }));
    await cloudtrail.send(new StartLoggingCommand({ Name: 'management' }));
    const restarted = await cloudtrail.send(new GetTrailStatusCommand({ Name: 'management' }));

    expect(logging.IsLogging).toBe(true);
    expect(logging.StartLoggingTime).toBeInstanceOf(Date);
    expect(logging.StartLoggingTime!.getTime()).toBeGreaterThanOrEqual(beforeStart.getTime());
    expect(logging.LatestDeliveryTime).toBeInstanceOf(Date);
    expect(logging.StopLoggingTime).toBeUndefined();
    expect(stopped.IsLogging).toBe(false);
    expect(stopped.StopLoggingTime!.getTime()).toBeGreaterThanOrEqual(logging.StartLoggingTime!.getTime());
    expect(restarted.IsLogging).toBe(true);
    expect(restarted.StartLoggingTime!.getTime()).toBeGreaterThanOrEqual(stopped.StopLoggingTime!.getTime());
    expect(cloudTrailService.trail(SANDBOX_ACCOUNT_ID, 'management')?.isLogging).toBe(true);
  });

  it('answers TrailNotFound when starting an unknown trail', async () => {
    const start = cloudTrailClient().send(new StartLoggingCommand({ Name: 'ghost' }));

    await expect(start).rejects.toMatchObject({ name: 'TrailNotFoundException' });
  });

  it('surfaces an injected throttling fault on StartLogging, then starts', async () => {
    const cloudtrail = cloudTrailClient({ maxAttempts: 1 });
    await cloudtrail.send(new CreateTrailCommand({ Name: 'throttled', S3BucketName: 'logs' }));
    server.faults.add({
      service: 'cloudtrail',
      operation: 'StartLogging',
      code: 'ThrottlingException',
      times: 1,
    });

    const first = cloudtrail.send(new StartLoggingCommand({ Name: 'throttled' }));

    await expect(first).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(cloudTrailService.trail(SANDBOX_ACCOUNT_ID, 'throttled')?.isLogging).toBe(false);
    await cloudtrail.send(new StartLoggingCommand({ Name: 'throttled' }));
    expect(cloudTrailService.trail(SANDBOX_ACCOUNT_ID, 'throttled')?.isLogging).toBe(true);
  });
});
