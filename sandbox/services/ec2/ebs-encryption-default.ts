import type { Ec2Operations } from './context.ts';

/**
 * EBS encryption by default: one switch per account and Region, off in a new account. Get
 * answers the switch and its server-side encryption type; Enable and Disable answer the switch
 * after the change. Existing volumes are not touched by either.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsEncryptionByDefault.html
 */
export const ebsEncryptionDefaultOperations: Ec2Operations = {
  GetEbsEncryptionByDefault: ({ state }) => ({
    EbsEncryptionByDefault: state.ebsEncryptionByDefault,
    SseType: 'sse-ebs',
  }),
  EnableEbsEncryptionByDefault: ({ state }) => {
    state.ebsEncryptionByDefault = true;
    return { EbsEncryptionByDefault: true };
  },
  DisableEbsEncryptionByDefault: ({ state }) => {
    state.ebsEncryptionByDefault = false;
    return { EbsEncryptionByDefault: false };
  },
};
