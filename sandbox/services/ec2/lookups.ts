import { AwsError } from '../../protocol.ts';
import { type Ec2IdPrefix, isEc2Id } from './ids.ts';
import type {
  IamInstanceProfileAssociation,
  Image,
  Instance,
  NetworkInterface,
  SecurityGroup,
  SecurityGroupRule,
  Snapshot,
  Subnet,
  Volume,
  Vpc,
} from './resources.ts';
import type { Ec2State } from './state.ts';

/** How EC2 names and rejects ids of one resource kind. */
export interface ResourceKind<T> {
  readonly prefix: Ec2IdPrefix;
  readonly store: (state: Ec2State) => Map<string, T>;
  /** Error code for an id that is not shaped like this kind's ids; none where EC2 skips the check. */
  readonly malformedCode?: string;
  readonly notFoundCode: string;
  readonly notFoundMessage: (ids: string[]) => string;
}

const quoted = (ids: string[]) => ids.map((id) => `'${id}'`).join(', ');

/** The resource kinds, with the error codes EC2 answers for bad ids. */
export const KINDS = {
  instance: {
    prefix: 'i',
    store: (s) => s.instances,
    malformedCode: 'InvalidInstanceID.Malformed',
    notFoundCode: 'InvalidInstanceID.NotFound',
    notFoundMessage: (ids) =>
      ids.length === 1
        ? `The instance ID ${quoted(ids)} does not exist`
        : `The instance IDs '${ids.join(', ')}' do not exist`,
  } satisfies ResourceKind<Instance>,
  securityGroup: {
    prefix: 'sg',
    store: (s) => s.securityGroups,
    malformedCode: 'InvalidGroupId.Malformed',
    notFoundCode: 'InvalidGroup.NotFound',
    notFoundMessage: (ids) => `The security group ${quoted(ids)} does not exist`,
  } satisfies ResourceKind<SecurityGroup>,
  securityGroupRule: {
    prefix: 'sgr',
    store: (s) => s.securityGroupRules,
    malformedCode: 'InvalidSecurityGroupRuleId.Malformed',
    notFoundCode: 'InvalidSecurityGroupRuleId.NotFound',
    notFoundMessage: (ids) => `The security group rule ID ${quoted(ids)} does not exist`,
  } satisfies ResourceKind<SecurityGroupRule>,
  vpc: {
    prefix: 'vpc',
    store: (s) => s.vpcs,
    notFoundCode: 'InvalidVpcID.NotFound',
    notFoundMessage: (ids) => `The vpc ID ${quoted(ids)} does not exist`,
  } satisfies ResourceKind<Vpc>,
  subnet: {
    prefix: 'subnet',
    store: (s) => s.subnets,
    notFoundCode: 'InvalidSubnetID.NotFound',
    notFoundMessage: (ids) => `The subnet ID ${quoted(ids)} does not exist`,
  } satisfies ResourceKind<Subnet>,
  networkInterface: {
    prefix: 'eni',
    store: (s) => s.networkInterfaces,
    malformedCode: 'InvalidNetworkInterfaceId.Malformed',
    notFoundCode: 'InvalidNetworkInterfaceID.NotFound',
    notFoundMessage: (ids) => `The networkInterface ID ${quoted(ids)} does not exist`,
  } satisfies ResourceKind<NetworkInterface>,
  volume: {
    prefix: 'vol',
    store: (s) => s.volumes,
    malformedCode: 'InvalidVolumeID.Malformed',
    notFoundCode: 'InvalidVolume.NotFound',
    notFoundMessage: (ids) => `The volume ${quoted(ids)} does not exist.`,
  } satisfies ResourceKind<Volume>,
  snapshot: {
    prefix: 'snap',
    store: (s) => s.snapshots,
    malformedCode: 'InvalidSnapshotID.Malformed',
    notFoundCode: 'InvalidSnapshot.NotFound',
    notFoundMessage: (ids) => `The snapshot ${quoted(ids)} does not exist.`,
  } satisfies ResourceKind<Snapshot>,
  image: {
    prefix: 'ami',
    store: (s) => s.images,
    malformedCode: 'InvalidAMIID.Malformed',
    notFoundCode: 'InvalidAMIID.NotFound',
    notFoundMessage: (ids) => `The image id '[${ids.join(', ')}]' does not exist`,
  } satisfies ResourceKind<Image>,
  iamInstanceProfileAssociation: {
    prefix: 'iip-assoc',
    store: (s) => s.iamInstanceProfileAssociations,
    notFoundCode: 'InvalidAssociationID.NotFound',
    notFoundMessage: (ids) => `An association with ID ${ids.join(', ')} does not exist.`,
  } satisfies ResourceKind<IamInstanceProfileAssociation>,
} as const;

/** Throw the kind's `Malformed` error for the first id not shaped like its ids. */
export function assertWellFormed<T>(kind: ResourceKind<T>, ids: readonly string[]): void {
  if (!kind.malformedCode) return;
  const bad = ids.find((id) => !isEc2Id(id, kind.prefix));
  if (bad !== undefined) {
    throw new AwsError(kind.malformedCode, `Invalid id: "${bad}" (expecting "${kind.prefix}-...")`);
  }
}

/** The resources with these ids; one error naming every id that is malformed or missing. */
export function requireAll<T>(state: Ec2State, kind: ResourceKind<T>, ids: readonly string[]): T[] {
  assertWellFormed(kind, ids);
  const store = kind.store(state);
  const missing = ids.filter((id) => !store.has(id));
  if (missing.length > 0) throw new AwsError(kind.notFoundCode, kind.notFoundMessage(missing));
  return ids.map((id) => store.get(id) as T);
}

/** The resource with this id, or the kind's `Malformed`/`NotFound` error. */
export function requireOne<T>(state: Ec2State, kind: ResourceKind<T>, id: string): T {
  return requireAll(state, kind, [id])[0] as T;
}
