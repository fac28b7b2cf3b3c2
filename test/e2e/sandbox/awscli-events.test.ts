import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { EventsService } from '#sandbox/services/events.ts';

const run = promisify(execFile);
const hasAws = spawnSync('aws', ['--version']).error === undefined;
if (!hasAws) console.warn('awscli-events: the AWS CLI (`aws`) is not on PATH, so these tests are skipped');

const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:classify';

const guardDutyEvent = {
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  account: '111122223333',
  source: 'aws.guardduty',
  time: '2024-05-01T10:20:30Z',
  region: 'us-east-1',
  resources: [],
  'detail-type': 'GuardDuty Finding',
  detail: { severity: 8.5, type: 'Recon:EC2/PortProbeUnprotectedPort' },
};

describe.skipIf(!hasAws)('the AWS CLI against the sandbox EventBridge', () => {
  let server: SandboxServer;
  let events: EventsService;
  let endpoint: string;
  const delivered: unknown[] = [];

  /** Run `aws <args>` against the sandbox; resolves with stdout, rejects with the CLI's error. */
  async function aws(...args: string[]): Promise<string> {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
        },
      },
    );
    return stdout;
  }

  beforeAll(async () => {
    events = new EventsService({
      deliver: async (_target, payload) => {
        delivered.push(payload);
      },
    });
    events.putRule({
      name: 'guardduty-high',
      eventPattern: { source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>=', 7] }] } },
    });
    events.putTargets('guardduty-high', [{ id: 'classify', arn: LAMBDA_ARN, inputPath: '$.detail.type' }]);
    server = new SandboxServer();
    server.register(events);
    endpoint = await server.listen({ port: 0 });
  });

  afterAll(async () => {
    await server.close();
  });

  it('put-events returns event ids and the matching event reaches the rule target', async () => {
    const entries = [
      {
        Source: 'aws.guardduty',
        DetailType: 'GuardDuty Finding',
        Detail: JSON.stringify(guardDutyEvent.detail),
      },
      { Source: 'aws.guardduty', DetailType: 'GuardDuty Finding', Detail: '{"severity": 2, "type": "Low"}' },
      { Source: 'aws.guardduty', DetailType: 'GuardDuty Finding' },
    ];

    const output = JSON.parse(await aws('events', 'put-events', '--entries', JSON.stringify(entries)));
    await events.whenIdle();

    expect(output.FailedEntryCount).toBe(1);
    expect(output.Entries[0].EventId).toEqual(expect.any(String));
    expect(output.Entries[1].EventId).toEqual(expect.any(String));
    expect(output.Entries[2]).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
    });
    expect(delivered).toEqual(['Recon:EC2/PortProbeUnprotectedPort']);
  });

  it('test-event-pattern tells whether the event matches', async () => {
    const event = JSON.stringify(guardDutyEvent);

    const matching = JSON.parse(
      await aws(
        'events',
        'test-event-pattern',
        '--event',
        event,
        '--event-pattern',
        '{"detail":{"type":[{"prefix":"Recon:"}]}}',
      ),
    );
    const notMatching = JSON.parse(
      await aws(
        'events',
        'test-event-pattern',
        '--event',
        event,
        '--event-pattern',
        '{"source":[{"anything-but":"aws.guardduty"}]}',
      ),
    );

    expect(matching).toEqual({ Result: true });
    expect(notMatching).toEqual({ Result: false });
  });

  it('test-event-pattern reports a malformed pattern as InvalidEventPatternException', async () => {
    const attempt = aws(
      'events',
      'test-event-pattern',
      '--event',
      JSON.stringify(guardDutyEvent),
      '--event-pattern',
      '{"source":[]}',
    );

    await expect(attempt).rejects.toMatchObject({
      stderr: expect.stringMatching(/InvalidEventPatternException.*Empty arrays are not allowed/),
    });
  });
});
