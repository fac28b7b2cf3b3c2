import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';
import { formCall, restCall } from './signed-request.ts';

const server = new SandboxServer();
server.register(new Ec2Service({ snapshotDelayMs: 0 }));
let endpoint: string;
const call = (params: Record<string, string>) =>
  formCall(endpoint, 'ec2', { Version: '2016-11-15', ...params });

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});
afterAll(() => server.close());

describe('EC2 query protocol, checked against the SDK model', () => {
  it('refuses an unknown parameter with UnknownParameter naming it', async () => {
    const answer = await call({ Action: 'DescribeInstances', 'InstanceIds.1': 'i-0123456789abcdef0' });
    expect([answer.status, answer.code]).toEqual([400, 'UnknownParameter']);
    expect(answer.message).toBe('The parameter InstanceIds is not recognized');
  });

  it('refuses a missing required parameter with MissingParameter', async () => {
    const answer = await call({ Action: 'CreateSnapshot', Description: 'no volume' });
    expect([answer.status, answer.code]).toEqual([400, 'MissingParameter']);
    expect(answer.message).toContain('VolumeId');
  });

  it('refuses a value of the wrong type with InvalidParameterValue', async () => {
    const answer = await call({ Action: 'DescribeInstances', MaxResults: 'ten' });
    expect([answer.status, answer.code]).toEqual([400, 'InvalidParameterValue']);
    expect(answer.message).toContain('Value (ten) for parameter MaxResults is invalid');
  });

  it('refuses a value outside the enum with InvalidParameterValue and creates nothing', async () => {
    const answer = await call({
      Action: 'CreateVolume',
      AvailabilityZone: 'us-east-1a',
      Size: '8',
      VolumeType: 'gp9',
    });
    const { Volumes } = await new EC2Client({
      endpoint,
      region: 'us-east-1',
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
    }).send(new DescribeVolumesCommand({}));

    expect([answer.status, answer.code]).toEqual([400, 'InvalidParameterValue']);
    expect(answer.message).toContain('gp9');
    expect(Volumes).toEqual([]);
  });

  it('acts on the parameters it checked, in the query string as in the body', async () => {
    // The query protocols take parameters from the query string or the form body alike
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html): the operation
    // reads the same decoded input the model checked, so the image asked for is the one looked up.
    const answer = await restCall(endpoint, {
      service: 'ec2',
      method: 'POST',
      path: '/',
      query: { 'ImageId.1': 'ami-0123456789abcdef0' },
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=DescribeImages&Version=2016-11-15',
    });

    expect([answer.status, answer.code]).toEqual([400, 'InvalidAMIID.NotFound']);
  });
});
