import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contextRecord, SYNTH_CONTEXT_FILE, type Template } from '#sandbox/deploy/assembly.ts';
import { Sandbox } from '#sandbox/index.ts';

const MEMBER = '444455556666';
const SECURITY = '111122223333';

const trust = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});

/** A role named with its region (as a multi-region stack names it), an attached policy and a queue. */
const regional: Template = {
  Resources: {
    WorkerRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: { 'Fn::Join': ['', ['worker-', { Ref: 'AWS::Region' }]] },
        Path: '/service/',
        AssumeRolePolicyDocument: trust('lambda.amazonaws.com'),
        MaxSessionDuration: 7200,
        Policies: [
          {
            PolicyName: 'read-queue',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' }],
            },
          },
        ],
        Tags: [{ Key: 'team', Value: 'security' }],
      },
    },
    WorkerPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'WorkerPolicy1A2B3C',
        Roles: [{ Ref: 'WorkerRole' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Work', 'Arn'] } },
          ],
        },
      },
    },
    Work: { Type: 'AWS::SQS::Queue', Properties: {} },
    Whoami: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Role: { 'Fn::GetAtt': ['WorkerRole', 'Arn'] },
        Code: { S3Bucket: 'assets', S3Key: 'whoami.zip' },
      },
      Metadata: { 'aws:asset:path': 'asset.whoami' },
    },
    // The security account invokes it by ARN, as its EventBridge rules or state machines would:
    // across accounts the function's policy must allow that account.
    WhoamiFromSecurity: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['Whoami', 'Arn'] },
        Principal: '111122223333',
      },
    },
  },
};

/** Where a function runs and which key its SDK clients sign with, as Lambda's environment tells it. */
const WHOAMI = `export const handler = async () => ({
  region: process.env.AWS_REGION,
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  sessionToken: process.env.AWS_SESSION_TOKEN,
});
`;

/** A role whose fixed name cannot exist twice in one account. */
const fixed: Template = {
  Resources: {
    Fixed: {
      Type: 'AWS::IAM::Role',
      Properties: { RoleName: 'fixed-role', AssumeRolePolicyDocument: trust('states.amazonaws.com') },
    },
  },
};

let root: string;
let assemblyDir: string;

/** A cloud assembly of hand-written templates, newer than the (empty) sources of `root`. */
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'deploy-targets-'));
  writeFileSync(path.join(root, 'package-lock.json'), '{}');
  assemblyDir = path.join(root, 'cdk.out');
  mkdirSync(path.join(assemblyDir, 'asset.whoami'), { recursive: true });
  writeFileSync(path.join(assemblyDir, 'asset.whoami', 'index.mjs'), WHOAMI);
  const stacks = { Regional: regional, Fixed: fixed };
  for (const [name, template] of Object.entries(stacks))
    writeFileSync(path.join(assemblyDir, `${name}.template.json`), JSON.stringify(template));
  const artifacts = Object.fromEntries(
    Object.keys(stacks).map((name) => [
      name,
      { type: 'aws:cloudformation:stack', properties: { templateFile: `${name}.template.json` } },
    ]),
  );
  writeFileSync(path.join(assemblyDir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  // Recorded as built with no context, as `synthesize` records it, so the sandbox deploys it as is.
  writeFileSync(path.join(assemblyDir, SYNTH_CONTEXT_FILE), contextRecord({}));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('deploying stacks into chosen accounts and regions', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it('creates each role in its own account with its trust policy, inline and attached policies', async () => {
    sandbox = await Sandbox.start({
      port: 0,
      root,
      assemblyDir,
      deployments: [
        { stack: 'Regional' },
        { stack: 'Regional', region: 'eu-west-1' },
        { stack: 'Regional', accountId: MEMBER, region: 'us-east-1' },
      ],
    });

    const member = sandbox.clientsFor(MEMBER).iam;
    const { Role: role } = await member.send(new GetRoleCommand({ RoleName: 'worker-us-east-1' }));
    expect(role?.Arn).toBe(`arn:aws:iam::${MEMBER}:role/service/worker-us-east-1`);
    expect(role?.MaxSessionDuration).toBe(7200);
    expect(role?.Tags).toEqual([{ Key: 'team', Value: 'security' }]);
    expect(JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''))).toEqual(
      trust('lambda.amazonaws.com'),
    );
    const { PolicyNames } = await member.send(new ListRolePoliciesCommand({ RoleName: 'worker-us-east-1' }));
    expect(PolicyNames).toEqual(['WorkerPolicy1A2B3C', 'read-queue']);
    const attached = await member.send(
      new GetRolePolicyCommand({ RoleName: 'worker-us-east-1', PolicyName: 'WorkerPolicy1A2B3C' }),
    );
    const memberQueueArn = sandbox.deployments[2]?.resources.get('Work')?.arn;
    expect(memberQueueArn).toMatch(new RegExp(`^arn:aws:sqs:us-east-1:${MEMBER}:Regional-Work-`));
    expect(JSON.parse(decodeURIComponent(attached.PolicyDocument ?? '')).Statement[0].Resource).toBe(
      memberQueueArn,
    );

    // The security account holds one role per region, the member's are its own.
    const security = sandbox.clients.iam;
    for (const roleName of ['worker-us-east-1', 'worker-eu-west-1']) {
      const { Role } = await security.send(new GetRoleCommand({ RoleName: roleName }));
      expect(Role?.Arn).toBe(`arn:aws:iam::${SECURITY}:role/service/${roleName}`);
    }
    await expect(member.send(new GetRoleCommand({ RoleName: 'worker-eu-west-1' }))).rejects.toThrow(
      /cannot be found/,
    );
  });

  it('gives each account and region its own generated names and keeps the default names', async () => {
    sandbox = await Sandbox.start({
      port: 0,
      root,
      assemblyDir,
      deployments: [
        { stack: 'Regional' },
        { stack: 'Regional', region: 'eu-west-1' },
        { stack: 'Regional', accountId: MEMBER },
      ],
    });
    const [home, europe, member] = sandbox.deployments;
    expect(sandbox.deployment).toBe(home);
    expect([home?.region, europe?.region, member?.accountId]).toEqual(['us-east-1', 'eu-west-1', MEMBER]);
    const names = sandbox.deployments.map((d) => d.resources.get('Work')?.name);
    expect(new Set(names).size).toBe(3);
    // What a default deployment named before keeps its name: CloudFormation's `<stack>-<id>-<suffix>`.
    expect(home?.resources.get('Work')?.name).toBe('Regional-Work-4EB9412A95F2');

    const europeQueue = europe?.resources.get('Work');
    const attributes = await sandbox
      .clientsFor(SECURITY, 'eu-west-1')
      .sqs.send(new GetQueueAttributesCommand({ QueueUrl: europeQueue?.ref, AttributeNames: ['QueueArn'] }));
    expect(attributes.Attributes?.QueueArn).toBe(europeQueue?.arn);
    expect(europeQueue?.arn).toMatch(/^arn:aws:sqs:eu-west-1:111122223333:/);
  });

  it('runs each function in its account and region, its SDK clients acting as that account', async () => {
    sandbox = await Sandbox.start({
      port: 0,
      root,
      assemblyDir,
      deployments: [
        { stack: 'Regional', accountId: MEMBER, region: 'us-east-1' },
        { stack: 'Regional', accountId: MEMBER, region: 'eu-west-1' },
      ],
    });
    const { endpoint } = sandbox;
    for (const deployment of sandbox.deployments) {
      const fn = deployment.functions[0];
      expect(fn?.arn).toMatch(new RegExp(`^arn:aws:lambda:${deployment.region}:${MEMBER}:function:`));
      const lambda = new LambdaClient({
        endpoint,
        region: deployment.region,
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' },
      });
      // Invoked by ARN from the security account, as EventBridge or Step Functions would.
      const out = await lambda.send(new InvokeCommand({ FunctionName: fn?.arn }));
      lambda.destroy();
      const seen = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8'));
      expect(seen.region).toBe(deployment.region);
      const sts = new STSClient({ endpoint, region: deployment.region, credentials: seen });
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      expect(identity.Account).toBe(MEMBER);
      // Lambda gives the function a session of its execution role.
      expect(identity.Arn).toBe(
        `arn:aws:sts::${MEMBER}:assumed-role/worker-${deployment.region}/${fn?.name}`,
      );
    }
    // A function exists only in its own region (asked by its own account, which may invoke it).
    const [home, europe] = sandbox.deployments;
    const { lambda } = sandbox.clientsFor(MEMBER, 'eu-west-1');
    const wrongRegion = home?.functions[0]?.arn.replace(':us-east-1:', ':eu-west-1:');
    expect(wrongRegion).not.toBe(europe?.functions[0]?.arn);
    await expect(lambda.send(new InvokeCommand({ FunctionName: wrongRegion }))).rejects.toThrow(
      /Function not found/,
    );
  });

  it('refuses a second region of a stack whose role name is fixed, naming the role and the account', async () => {
    await expect(
      Sandbox.start({
        port: 0,
        root,
        assemblyDir,
        deployments: [{ stack: 'Fixed' }, { stack: 'Fixed', region: 'eu-west-1' }],
      }),
    ).rejects.toThrow(/Fixed in eu-west-1: role fixed-role .*already exists in account 111122223333/);
  });

  it('names the stacks an assembly has when asked for one it does not', async () => {
    await expect(
      Sandbox.start({ port: 0, root, assemblyDir, deployments: [{ stack: 'AutoRemediationMember' }] }),
    ).rejects.toThrow(/no stack AutoRemediationMember \(it has Regional, Fixed\)/);
  });
});
