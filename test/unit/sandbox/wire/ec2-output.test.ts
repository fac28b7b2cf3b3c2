import { describe, expect, it } from 'vitest';
import { assertModelledOutput, UnmodelledOutputError } from '#sandbox/wire/modelled-output.ts';
import { ServiceModel } from '#sandbox/wire/service-model.ts';

const model = new ServiceModel('@aws-sdk/client-ec2', 'EC2Client');

describe('EC2 results, checked against the output shape before the model writes them', () => {
  it('accepts a result in the SDK member names the serializer writes from', async () => {
    const { output } = (await model.operation('DescribeVolumes')) ?? {};
    const at = new Date('2026-12-06T00:00:00Z');

    expect(() =>
      assertModelledOutput(output as never, {
        Volumes: [
          { VolumeId: 'vol-1', CreateTime: at, Tags: [{ Key: 'team', Value: 'sec' }], Attachments: [] },
        ],
        NextToken: undefined,
      }),
    ).not.toThrow();
  });

  it('refuses a member the output shape does not have, naming where it is', async () => {
    const { output } = (await model.operation('DescribeVolumes')) ?? {};

    expect(() =>
      assertModelledOutput(output as never, { Volumes: [{ VolumeId: 'vol-1', volumeId: 'x' }] }),
    ).toThrow(new UnmodelledOutputError('DescribeVolumesResult.Volumes.0 has no member volumeId'));
  });
});
