import { describe, expect, it } from 'vitest';
import { fromWireNames, UnmodelledOutputError } from '#sandbox/services/ec2/wire-named-output.ts';
import { ServiceModel } from '#sandbox/wire/service-model.ts';

const model = new ServiceModel('@aws-sdk/client-ec2', 'EC2Client');

describe('EC2 results, read into the output shape by the model', () => {
  it('maps XML element names to the members the SDK writes them from', async () => {
    const { output } = (await model.operation('DescribeVolumes')) ?? {};
    const at = new Date('2026-12-06T00:00:00Z');

    const read = fromWireNames(output as never, {
      volumeSet: [
        { volumeId: 'vol-1', createTime: at, tagSet: [{ key: 'team', value: 'sec' }], attachmentSet: [] },
      ],
      nextToken: undefined,
    });

    expect(read).toEqual({
      Volumes: [
        { VolumeId: 'vol-1', CreateTime: at, Tags: [{ Key: 'team', Value: 'sec' }], Attachments: [] },
      ],
    });
  });

  it('refuses an element the output shape does not have, naming where it is', async () => {
    const { output } = (await model.operation('DescribeVolumes')) ?? {};

    expect(() =>
      fromWireNames(output as never, { volumeSet: [{ volumeId: 'vol-1', storageClass: 'x' }] }),
    ).toThrow(new UnmodelledOutputError('DescribeVolumesResult.volumeSet.0 has no element storageClass'));
  });
});
