import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { AwsError, type SandboxRequest } from '../../protocol.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '../../server.ts';
import { ModelService, type OperationHandler } from '../../wire/model-service.ts';
import { assertModelledOutput } from '../../wire/modelled-output.ts';
import { ServiceModel } from '../../wire/service-model.ts';
import { deriveInstanceProfile, type Ec2Operations, type InstanceProfileResolver } from './context.ts';
import { ebsEncryptionDefaultOperations } from './ebs-encryption-default.ts';
import { flowLogOperations } from './flow-logs.ts';
import { iamInstanceProfileOperations } from './iam-instance-profiles.ts';
import { type ImageInput, imageOperations, registerImageRecord } from './images.ts';
import { instanceAttributeOperations } from './instance-attributes.ts';
import { instanceMetadataOptionsOperations } from './instance-metadata-options.ts';
import { instanceOperations } from './instances.ts';
import { launchTemplateOperations } from './launch-templates.ts';
import { modifySecurityGroupRuleOperations } from './modify-security-group-rules.ts';
import { networkInterfaceOperations } from './network-interfaces.ts';
import { replaceRootVolumeOperations, settleReplaceRootVolumeTasks } from './replace-root-volume-tasks.ts';
import type { Image } from './resources.ts';
import { securityGroupRuleOperations } from './security-group-rules.ts';
import { securityGroupOperations } from './security-groups.ts';
import { sharingOperations } from './sharing.ts';
import { snapshotOperations } from './snapshots.ts';
import { Ec2State } from './state.ts';
import { subnetAttributeOperations } from './subnet-attributes.ts';
import { tagOperations } from './tags.ts';
import { volumeOperations } from './volumes.ts';
import { createDefaultVpc, vpcOperations } from './vpcs.ts';

const TimingSchema = z.object({
  snapshotDelayMs: z._default(z.number().check(z.int(), z.nonnegative()), 2000),
  replaceRootVolumeDelayMs: z.optional(z.number().check(z.int(), z.nonnegative())),
});

/** Options of the sandbox EC2 service. */
export interface Ec2ServiceOptions {
  /**
   * Milliseconds a snapshot stays `pending` before it is `completed` (tests set 0, or
   * longer to exercise a poll).
   * @default 2000
   */
  readonly snapshotDelayMs?: number;
  /**
   * Milliseconds a replace-root-volume task stays `pending` before it succeeds.
   * @default snapshotDelayMs
   */
  readonly replaceRootVolumeDelayMs?: number;
  /**
   * Resolves the instance profile a request names to its ARN and id; wire the sandbox
   * IAM service here to reject unknown profiles.
   * @default every name or ARN resolves, with an id derived from the ARN
   */
  readonly resolveInstanceProfile?: InstanceProfileResolver;
}

const OPERATIONS: Ec2Operations = {
  ...vpcOperations,
  ...instanceOperations,
  ...instanceAttributeOperations,
  ...networkInterfaceOperations,
  ...securityGroupOperations,
  ...securityGroupRuleOperations,
  ...modifySecurityGroupRuleOperations,
  ...volumeOperations,
  ...snapshotOperations,
  ...imageOperations,
  ...sharingOperations,
  ...tagOperations,
  ...iamInstanceProfileOperations,
  ...replaceRootVolumeOperations,
  ...launchTemplateOperations,
  ...ebsEncryptionDefaultOperations,
  ...instanceMetadataOptionsOperations,
  ...subnetAttributeOperations,
  ...flowLogOperations,
};

/**
 * EC2 on the `ec2` query protocol: VPCs and subnets, instances with their interfaces,
 * volumes and instance profiles, security groups and rules, snapshots, images, tags and
 * root-volume replacement. State is kept per account and region; each starts, like a new
 * AWS account, with a default VPC, two default subnets and the VPC's default group.
 */
export class Ec2Service extends ModelService {
  readonly signingNames: readonly string[] = ['ec2'];
  readonly protocol = 'ec2' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-ec2', 'EC2Client');
  /**
   * The model reads and checks each request (`UnknownParameter`, `MissingParameter`,
   * `InvalidParameterValue`) and writes each response: the operations get typed input and return
   * results in the SDK's member names, checked against the output shape.
   */
  protected readonly operations: Record<string, OperationHandler> = Object.fromEntries(
    Object.keys(OPERATIONS).map((name) => [
      name,
      (req: SandboxRequest, input: Record<string, unknown>) => this.serve(req, name, input),
    ]),
  );
  private readonly states = new Map<string, Ec2State>();
  private readonly timing: { snapshotDelayMs: number; replaceRootVolumeDelayMs: number };
  private readonly resolveInstanceProfile: InstanceProfileResolver;

  constructor(options: Ec2ServiceOptions = {}) {
    super();
    const timing = TimingSchema.parse({
      snapshotDelayMs: options.snapshotDelayMs,
      replaceRootVolumeDelayMs: options.replaceRootVolumeDelayMs,
    });
    this.timing = {
      snapshotDelayMs: timing.snapshotDelayMs,
      replaceRootVolumeDelayMs: timing.replaceRootVolumeDelayMs ?? timing.snapshotDelayMs,
    };
    this.resolveInstanceProfile = options.resolveInstanceProfile ?? deriveInstanceProfile;
  }

  private async serve(
    req: SandboxRequest,
    operation: string,
    input: Record<string, unknown>,
  ): Promise<object> {
    const handler = OPERATIONS[operation];
    if (!handler)
      throw new AwsError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    const state = this.state(req.accountId, req.region);
    const now = new Date();
    settleReplaceRootVolumeTasks(state, now);
    // A dry run answers whether the call would be allowed; the sandbox allows every call.
    if (input.DryRun === true) {
      throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    }
    const body = handler({ input, state, now, resolveInstanceProfile: this.resolveInstanceProfile });
    const shape = (await this.model.operation(operation))?.output;
    if (shape) assertModelledOutput(shape, body);
    return body;
  }

  /** The EC2 state of an account and region (created on first use), for seeding and assertions. */
  state(accountId: string = SANDBOX_ACCOUNT_ID, region: string = SANDBOX_REGION): Ec2State {
    const key = `${accountId}/${region}`;
    let state = this.states.get(key);
    if (!state) {
      state = new Ec2State(accountId, region, this.timing);
      createDefaultVpc(state);
      this.states.set(key, state);
    }
    return state;
  }

  /** Seed an AMI (a golden image, say) without going through RegisterImage. */
  seedImage(input: ImageInput, accountId?: string, region?: string): Image {
    return registerImageRecord(this.state(accountId, region), input, new Date());
  }

  /** An instance, if it exists; lets other sandbox services (Auto Scaling, ELBv2) check ids. */
  findInstance(accountId: string, region: string, instanceId: string) {
    return this.state(accountId, region).instances.get(instanceId);
  }
}
