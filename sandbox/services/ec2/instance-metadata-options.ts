import type { Ec2Context, Ec2Operations } from './context.ts';
import { requiredMember } from './context.ts';
import { KINDS, requireOne } from './lookups.ts';
import type { InstanceMetadataOptions } from './resources.ts';

/** A new instance's metadata options when nothing set them (IMDSv2 required, as on current AMIs). */
export const DEFAULT_METADATA_OPTIONS: InstanceMetadataOptions = {
  HttpTokens: 'required',
  HttpPutResponseHopLimit: 2,
  HttpEndpoint: 'enabled',
  HttpProtocolIpv6: 'disabled',
  InstanceMetadataTags: 'disabled',
};

/**
 * ModifyInstanceMetadataOptions changes only the options the request names; the others keep
 * their values. The answer reports the change `pending` (DescribeInstances reports `applied`).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html
 */
function modifyInstanceMetadataOptions({ input, state }: Ec2Context) {
  const instance = requireOne(state, KINDS.instance, requiredMember(input, 'InstanceId'));
  const current = instance.metadataOptions ?? DEFAULT_METADATA_OPTIONS;
  const next: InstanceMetadataOptions = {
    HttpTokens: input.HttpTokens ?? current.HttpTokens,
    HttpPutResponseHopLimit: input.HttpPutResponseHopLimit ?? current.HttpPutResponseHopLimit,
    HttpEndpoint: input.HttpEndpoint ?? current.HttpEndpoint,
    HttpProtocolIpv6: input.HttpProtocolIpv6 ?? current.HttpProtocolIpv6,
    InstanceMetadataTags: input.InstanceMetadataTags ?? current.InstanceMetadataTags,
  };
  instance.metadataOptions = next;
  return { InstanceId: instance.instanceId, InstanceMetadataOptions: { State: 'pending', ...next } };
}

/** The instance metadata service options of an instance. */
export const instanceMetadataOptionsOperations: Ec2Operations = {
  ModifyInstanceMetadataOptions: modifyInstanceMetadataOptions,
};
