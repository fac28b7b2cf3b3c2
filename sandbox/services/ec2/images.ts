import type { DescribeImagesRequest, RegisterImageRequest } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { KINDS, requireAll, requireOne } from './lookups.ts';
import type { Image, ImageBlockDevice } from './resources.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';

/** What an image is registered with; everything but the name has the common Linux default. */
export interface ImageInput {
  readonly name: string;
  readonly description?: string;
  readonly architecture?: string;
  readonly rootDeviceName?: string;
  readonly virtualizationType?: string;
  readonly enaSupport?: boolean;
  readonly blockDeviceMappings?: readonly ImageBlockDevice[];
  /** Whether any account may launch it (a public AMI). @default false */
  readonly isPublic?: boolean;
}

/** Register an AMI; names are unique per account and region (`InvalidAMIName.Duplicate`). */
export function registerImageRecord(state: Ec2State, input: ImageInput, now: Date): Image {
  const taken = [...state.images.values()].find((image) => image.name === input.name);
  if (taken)
    throw new AwsError(
      'InvalidAMIName.Duplicate',
      `AMI name ${input.name} is already in use by AMI ${taken.imageId}`,
    );
  const rootDeviceName = input.rootDeviceName ?? '/dev/xvda';
  for (const device of input.blockDeviceMappings ?? []) {
    if (device.snapshotId) requireOne(state, KINDS.snapshot, device.snapshotId);
  }
  const image: Image = {
    imageId: newEc2Id('ami'),
    name: input.name,
    description: input.description,
    ownerId: state.accountId,
    isPublic: input.isPublic ?? false,
    architecture: input.architecture ?? 'x86_64',
    rootDeviceName,
    virtualizationType: input.virtualizationType ?? 'hvm',
    enaSupport: input.enaSupport ?? true,
    creationDate: now,
    blockDeviceMappings: input.blockDeviceMappings ?? [
      { deviceName: rootDeviceName, volumeSize: 8, volumeType: 'gp3', deleteOnTermination: true },
    ],
  };
  state.images.set(image.imageId, image);
  return image;
}

/** The root device of an image, which a launch or a root-volume replacement restores. */
export function rootDeviceOf(image: Image): ImageBlockDevice | undefined {
  return (
    image.blockDeviceMappings.find((d) => d.deviceName === image.rootDeviceName) ??
    image.blockDeviceMappings[0]
  );
}

function imageView(state: Ec2State, image: Image) {
  return {
    ImageId: image.imageId,
    ImageLocation: `${image.ownerId}/${image.name}`,
    State: 'available',
    OwnerId: image.ownerId,
    CreationDate: image.creationDate.toISOString(),
    Public: image.isPublic,
    Architecture: image.architecture,
    ImageType: 'machine',
    Name: image.name,
    Description: image.description,
    RootDeviceType: 'ebs',
    RootDeviceName: image.rootDeviceName,
    BlockDeviceMappings: image.blockDeviceMappings.map((d) => ({
      DeviceName: d.deviceName,
      Ebs: {
        SnapshotId: d.snapshotId,
        VolumeSize: d.volumeSize,
        DeleteOnTermination: d.deleteOnTermination,
        VolumeType: d.volumeType,
        Encrypted: false,
      },
    })),
    VirtualizationType: image.virtualizationType,
    Hypervisor: 'xen',
    EnaSupport: image.enaSupport,
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    Tags: state.tagSet(image.imageId),
  };
}

const IMAGE_FILTERS: FilterFields<Image> = {
  'image-id': (i) => i.imageId,
  name: (i) => i.name,
  description: (i) => i.description,
  architecture: (i) => i.architecture,
  'owner-id': (i) => i.ownerId,
  'is-public': (i) => i.isPublic,
  'root-device-name': (i) => i.rootDeviceName,
  'root-device-type': () => 'ebs',
  'virtualization-type': (i) => i.virtualizationType,
  state: () => 'available',
  'image-type': () => 'machine',
};

function registerImage({ input, state, now }: Ec2Context) {
  const request = input as RegisterImageRequest;
  const blockDeviceMappings = (request.BlockDeviceMappings ?? []).map((mapping, i) => {
    const snapshotId = mapping.Ebs?.SnapshotId;
    const snapshot = snapshotId ? requireOne(state, KINDS.snapshot, snapshotId) : undefined;
    return {
      deviceName: requiredMember(mapping, 'DeviceName', `BlockDeviceMapping.${i + 1}.DeviceName`),
      snapshotId,
      volumeSize: mapping.Ebs?.VolumeSize ?? snapshot?.volumeSize ?? 8,
      volumeType: mapping.Ebs?.VolumeType ?? 'gp3',
      deleteOnTermination: mapping.Ebs?.DeleteOnTermination ?? true,
    };
  });
  const image = registerImageRecord(
    state,
    {
      name: requiredMember(request, 'Name'),
      description: request.Description,
      architecture: request.Architecture,
      rootDeviceName: request.RootDeviceName,
      virtualizationType: request.VirtualizationType,
      enaSupport: request.EnaSupport,
      blockDeviceMappings: blockDeviceMappings.length > 0 ? blockDeviceMappings : undefined,
    },
    now,
  );
  applyTagSpecifications(state, image.imageId, 'image', readTagSpecifications(input));
  return { ImageId: image.imageId };
}

function describeImages({ input, state }: Ec2Context) {
  const request = input as DescribeImagesRequest;
  const ids = request.ImageIds ?? [];
  const owners = request.Owners ?? [];
  const visible = [...state.images.values()].filter((image) =>
    owners.length === 0
      ? image.isPublic || image.ownerId === state.accountId
      : owners.some((o) => (o === 'self' ? state.accountId : o) === image.ownerId),
  );
  const scope = ids.length > 0 ? requireAll(state, KINDS.image, ids) : visible;
  const filtered = applyFilters(state, scope, (i) => i.imageId, readFilters(input), IMAGE_FILTERS);
  const page = paginate(filtered, input);
  return { Images: page.items.map((image) => imageView(state, image)), NextToken: page.nextToken };
}

/** RegisterImage, DescribeImages. */
export const imageOperations: Ec2Operations = {
  RegisterImage: registerImage,
  DescribeImages: describeImages,
};
