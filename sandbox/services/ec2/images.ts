import { AwsError } from '../../protocol.ts';
import type { Ec2Context, Ec2Operations } from './context.ts';
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
    imageId: image.imageId,
    imageLocation: `${image.ownerId}/${image.name}`,
    imageState: 'available',
    imageOwnerId: image.ownerId,
    creationDate: image.creationDate.toISOString(),
    isPublic: image.isPublic,
    architecture: image.architecture,
    imageType: 'machine',
    name: image.name,
    description: image.description,
    rootDeviceType: 'ebs',
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: image.blockDeviceMappings.map((d) => ({
      deviceName: d.deviceName,
      ebs: {
        snapshotId: d.snapshotId,
        volumeSize: d.volumeSize,
        deleteOnTermination: d.deleteOnTermination,
        volumeType: d.volumeType,
        encrypted: false,
      },
    })),
    virtualizationType: image.virtualizationType,
    hypervisor: 'xen',
    enaSupport: image.enaSupport,
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    tagSet: state.tagSet(image.imageId),
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

function registerImage({ input, params, state, now }: Ec2Context) {
  const blockDeviceMappings = params.structs('BlockDeviceMapping').map((mapping) => {
    const snapshotId = mapping.string('Ebs.SnapshotId');
    const snapshot = snapshotId ? requireOne(state, KINDS.snapshot, snapshotId) : undefined;
    return {
      deviceName: mapping.required('DeviceName'),
      snapshotId,
      volumeSize: mapping.int('Ebs.VolumeSize') ?? snapshot?.volumeSize ?? 8,
      volumeType: mapping.string('Ebs.VolumeType') ?? 'gp3',
      deleteOnTermination: mapping.bool('Ebs.DeleteOnTermination') ?? true,
    };
  });
  const image = registerImageRecord(
    state,
    {
      name: params.required('Name'),
      description: params.string('Description'),
      architecture: params.string('Architecture'),
      rootDeviceName: params.string('RootDeviceName'),
      virtualizationType: params.string('VirtualizationType'),
      enaSupport: params.bool('EnaSupport'),
      blockDeviceMappings: blockDeviceMappings.length > 0 ? blockDeviceMappings : undefined,
    },
    now,
  );
  applyTagSpecifications(state, image.imageId, 'image', readTagSpecifications(input));
  return { imageId: image.imageId };
}

function describeImages({ input, params, state }: Ec2Context) {
  const ids = params.list('ImageId');
  const owners = params.list('Owner');
  const visible = [...state.images.values()].filter((image) =>
    owners.length === 0
      ? image.isPublic || image.ownerId === state.accountId
      : owners.some((o) => (o === 'self' ? state.accountId : o) === image.ownerId),
  );
  const scope = ids.length > 0 ? requireAll(state, KINDS.image, ids) : visible;
  const filtered = applyFilters(state, scope, (i) => i.imageId, readFilters(input), IMAGE_FILTERS);
  const page = paginate(filtered, input);
  return { imagesSet: page.items.map((image) => imageView(state, image)), nextToken: page.nextToken };
}

/** RegisterImage, DescribeImages. */
export const imageOperations: Ec2Operations = {
  RegisterImage: registerImage,
  DescribeImages: describeImages,
};
