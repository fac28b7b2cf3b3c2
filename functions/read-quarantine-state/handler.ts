import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { clientConfig, onFirstUse } from '#shared/aws-clients.ts';
import { RemediationError } from '#shared/errors.ts';
import {
  type InstanceStateClients,
  parseInstanceStateInput,
  type QuarantineRead,
  readForQuarantine,
} from '#shared/quarantine/instance-state.ts';

/** STS answered AssumeRole without credentials. */
export class MemberRoleUnavailableError extends RemediationError {
  override name = 'MemberRoleUnavailableError';
}

const sts = onFirstUse(() => new STSClient(clientConfig()));

/**
 * Called by the quarantine-instance state machine once the instance's network is cut: the state
 * before quarantine, read in the instance's account. In an organization the input names that
 * account's member role, which this function assumes for the reads, as the state machine's own
 * calls do with task `Credentials`
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 */
export async function handler(event: unknown): Promise<QuarantineRead> {
  const input = parseInstanceStateInput(event);
  return readForQuarantine(await clientsFor(input.roleArn), input);
}

/** The read clients: as the member role when one is named, else as this function's own role. */
async function clientsFor(roleArn: string | undefined): Promise<InstanceStateClients> {
  let credentials: ConstructorParameters<typeof EC2Client>[0] = {};
  if (roleArn) {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'quarantine-instance-read' }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new MemberRoleUnavailableError(`AssumeRole of ${roleArn} returned no credentials`);
    credentials = {
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      },
    };
  }
  const config = { ...clientConfig(), ...credentials };
  return {
    ec2: new EC2Client(config),
    autoScaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    iam: new IAMClient(config),
  };
}
