import {
  CreateDetectorCommand,
  CreateIPSetCommand,
  GetDetectorCommand,
  GetIPSetCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListIPSetsCommand,
  UpdateDetectorCommand,
  UpdateIPSetCommand,
} from '@aws-sdk/client-guardduty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { GuardDutyService } from '#sandbox/services/guardduty.ts';

const server = new SandboxServer();
server.register(new GuardDutyService());
let guardduty: GuardDutyClient;
let other: GuardDutyClient;

beforeAll(async () => {
  const endpoint = await server.listen({ port: 0 });
  const config = { endpoint, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 };
  guardduty = new GuardDutyClient({ ...config, region: 'us-east-1' });
  other = new GuardDutyClient({ ...config, region: 'eu-west-1' });
});
afterAll(async () => {
  guardduty.destroy();
  other.destroy();
  await server.close();
});

describe('GuardDuty in the sandbox, through the real SDK client', () => {
  let detectorId: string;

  it('creates one detector per Region, lists it and reads it back', async () => {
    const created = await guardduty.send(
      new CreateDetectorCommand({
        Enable: true,
        FindingPublishingFrequency: 'FIFTEEN_MINUTES',
        Tags: { team: 'sec' },
      }),
    );
    detectorId = created.DetectorId as string;
    expect(detectorId).toMatch(/^[0-9a-f]{32}$/);

    expect((await guardduty.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([detectorId]);
    expect((await other.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
    const detector = await guardduty.send(new GetDetectorCommand({ DetectorId: detectorId }));
    expect(detector).toMatchObject({
      Status: 'ENABLED',
      FindingPublishingFrequency: 'FIFTEEN_MINUTES',
      Tags: { team: 'sec' },
    });
    expect(new Date(detector.CreatedAt as string).getTime()).not.toBeNaN();

    await expect(guardduty.send(new CreateDetectorCommand({ Enable: true }))).rejects.toMatchObject({
      name: 'BadRequestException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('UpdateDetector changes only the members passed', async () => {
    await guardduty.send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }));
    expect(await guardduty.send(new GetDetectorCommand({ DetectorId: detectorId }))).toMatchObject({
      Status: 'DISABLED',
      FindingPublishingFrequency: 'FIFTEEN_MINUTES',
    });

    await guardduty.send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: true }));
    expect((await guardduty.send(new GetDetectorCommand({ DetectorId: detectorId }))).Status).toBe('ENABLED');
  });

  it('refuses a detector of another account or Region, and a request without its required members', async () => {
    await expect(other.send(new GetDetectorCommand({ DetectorId: detectorId }))).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    await expect(
      guardduty.send(new UpdateDetectorCommand({ DetectorId: 'f'.repeat(32), Enable: true })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(
      guardduty.send(new CreateIPSetCommand({ DetectorId: detectorId, Name: 'x', Format: 'TXT' } as never)),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
  });

  it('trusted IP lists: created, listed, read, deactivated with nothing else changed', async () => {
    const { IpSetId } = await guardduty.send(
      new CreateIPSetCommand({
        DetectorId: detectorId,
        Name: 'office',
        Format: 'TXT',
        Location: 'https://s3.amazonaws.com/lists/office.txt',
        Activate: true,
      }),
    );
    expect(IpSetId).toMatch(/^[0-9a-f]{32}$/);
    expect((await guardduty.send(new ListIPSetsCommand({ DetectorId: detectorId }))).IpSetIds).toEqual([
      IpSetId,
    ]);

    await guardduty.send(new UpdateIPSetCommand({ DetectorId: detectorId, IpSetId, Activate: false }));

    expect(await guardduty.send(new GetIPSetCommand({ DetectorId: detectorId, IpSetId }))).toMatchObject({
      Name: 'office',
      Format: 'TXT',
      Location: 'https://s3.amazonaws.com/lists/office.txt',
      Status: 'INACTIVE',
    });
    await expect(
      guardduty.send(new GetIPSetCommand({ DetectorId: detectorId, IpSetId: '0'.repeat(32) })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});
