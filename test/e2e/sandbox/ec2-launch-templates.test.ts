import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
const run = promisify(execFile);

let server: SandboxServer;
let ec2: EC2Client;
let endpoint: string;

beforeAll(async () => {
  server = new SandboxServer();
  server.register(new Ec2Service({ snapshotDelayMs: 0 }));
  endpoint = await server.listen({ port: 0 });
  ec2 = new EC2Client({ endpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  ec2.destroy();
  await server.close();
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => error.name,
  );

describe('EC2 launch templates in the sandbox', () => {
  it('launches from a template: its data as defaults, the request overriding, the system tags added', async () => {
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'web-tier',
        VersionDescription: 'first',
        LaunchTemplateData: {
          ImageId: 'ami-0abcdef1234567890',
          InstanceType: 't3.small',
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] }],
        },
      }),
    );
    const id = created.LaunchTemplate?.LaunchTemplateId as string;
    expect(id).toMatch(/^lt-[0-9a-f]{17}$/);
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: id,
        SourceVersion: '1',
        LaunchTemplateData: { InstanceType: 't3.large' },
      }),
    );

    const fromDefault = await ec2.send(
      new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateId: id }, MinCount: 1, MaxCount: 1 }),
    );
    const fromLatest = await ec2.send(
      new RunInstancesCommand({
        LaunchTemplate: { LaunchTemplateName: 'web-tier', Version: '$Latest' },
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
      }),
    );

    const described = await ec2.send(
      new DescribeInstancesCommand({
        InstanceIds: [
          fromDefault.Instances?.[0]?.InstanceId as string,
          fromLatest.Instances?.[0]?.InstanceId as string,
        ],
      }),
    );
    const [first, second] = (described.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    expect(first).toMatchObject({ ImageId: 'ami-0abcdef1234567890', InstanceType: 't3.small' });
    expect(first?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Name', Value: 'web' },
        { Key: 'aws:ec2launchtemplate:id', Value: id },
        { Key: 'aws:ec2launchtemplate:version', Value: '1' },
      ]),
    );
    expect(second?.InstanceType).toBe('t3.micro');
    expect(second?.Tags).toContainEqual({ Key: 'aws:ec2launchtemplate:version', Value: '2' });

    const listed = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['web-tier'] }));
    expect(listed.LaunchTemplates).toEqual([
      expect.objectContaining({ LaunchTemplateId: id, DefaultVersionNumber: 1, LatestVersionNumber: 2 }),
    ]);
  });

  it("answers AWS's errors for unknown templates and versions, duplicate names and reserved tag keys", async () => {
    expect(
      await errorOf(
        ec2.send(
          new RunInstancesCommand({
            LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0' },
            MinCount: 1,
            MaxCount: 1,
          }),
        ),
      ),
    ).toBe('InvalidLaunchTemplateId.NotFound');
    expect(
      await errorOf(
        ec2.send(
          new RunInstancesCommand({
            LaunchTemplate: { LaunchTemplateName: 'web-tier', Version: '9' },
            MinCount: 1,
            MaxCount: 1,
          }),
        ),
      ),
    ).toBe('InvalidLaunchTemplateId.VersionNotFound');
    expect(
      await errorOf(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope-tier'] }))),
    ).toBe('InvalidLaunchTemplateName.NotFoundException');
    expect(
      await errorOf(
        ec2.send(
          new CreateLaunchTemplateCommand({
            LaunchTemplateName: 'web-tier',
            LaunchTemplateData: { InstanceType: 't3.nano' },
          }),
        ),
      ),
    ).toBe('InvalidLaunchTemplateName.AlreadyExistsException');
    const launched = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-0abcdef1234567890', MinCount: 1, MaxCount: 1 }),
    );
    expect(
      await errorOf(
        ec2.send(
          new CreateTagsCommand({
            Resources: [launched.Instances?.[0]?.InstanceId as string],
            Tags: [{ Key: 'aws:ec2launchtemplate:id', Value: 'lt-forged' }],
          }),
        ),
      ),
    ).toBe('InvalidParameterValue');
  });

  it('lists templates to the Debian aws CLI', async () => {
    const { stdout } = await run(
      'aws',
      [
        '--endpoint-url',
        endpoint,
        '--region',
        'us-east-1',
        '--output',
        'json',
        'ec2',
        'describe-launch-templates',
      ],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
        },
      },
    );
    expect(JSON.parse(stdout).LaunchTemplates).toEqual([
      expect.objectContaining({ LaunchTemplateName: 'web-tier', LatestVersionNumber: 2 }),
    ]);
  });
});
