import type { Ec2Context, Ec2Operations } from './context.ts';
import { requiredMember } from './context.ts';
import { KINDS, requireOne } from './lookups.ts';
import type { InstanceMetadataOptions } from './resources.ts';

/** A new instance's metadata options when nothing set them (IMDSv2 required, as on current AMIs). */
export const DEFAULT_METADATA_OPTIONS: InstanceMetadataOptions = {
  httpTokens: 'required',
  httpPutResponseHopLimit: 2,
  httpEndpoint: 'enabled',
  httpProtocolIpv6: 'disabled',
  instanceMetadataTags: 'disabled',
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
    httpTokens: input.HttpTokens ?? current.httpTokens,
    httpPutResponseHopLimit: input.HttpPutResponseHopLimit ?? current.httpPutResponseHopLimit,
    httpEndpoint: input.HttpEndpoint ?? current.httpEndpoint,
    httpProtocolIpv6: input.HttpProtocolIpv6 ?? current.httpProtocolIpv6,
    instanceMetadataTags: input.InstanceMetadataTags ?? current.instanceMetadataTags,
  };
  instance.metadataOptions = next;
  return { instanceId: instance.instanceId, instanceMetadataOptions: { state: 'pending', ...next } };
}

/** The instance metadata service options of an instance. */
export const instanceMetadataOptionsOperations: Ec2Operations = {
  ModifyInstanceMetadataOptions: modifyInstanceMetadataOptions,
};
