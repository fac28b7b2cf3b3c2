import type { Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, missingParameter } from './context.ts';
import { applyFilters, paginate, readFilters } from './filters.ts';
import { resourceTypeOf } from './ids.ts';
import { KINDS, type ResourceKind, requireOne } from './lookups.ts';
import type { Ec2State } from './state.ts';

/** Tags to apply per resource type, from `TagSpecification.N.ResourceType` / `.Tag.M.Key|Value`. */
export type TagSpecifications = ReadonlyMap<string, readonly (readonly [string, string])[]>;

/** The `TagSpecifications` of a create request, by resource type. */
export function readTagSpecifications(input: { TagSpecifications?: TagSpecification[] }): TagSpecifications {
  const specs = new Map<string, [string, string][]>();
  for (const [i, spec] of (input.TagSpecifications ?? []).entries()) {
    const type = spec.ResourceType;
    if (type === undefined) throw missingParameter(`TagSpecification.${i + 1}.ResourceType`);
    const tags = readTagPairs(spec.Tags, `TagSpecification.${i + 1}.Tag`).map(
      ({ key, value }) => [key, value ?? ''] as [string, string],
    );
    specs.set(type, [...(specs.get(type) ?? []), ...tags]);
  }
  return specs;
}

/** Apply the tag specifications meant for `resourceType` to a new resource. */
export function applyTagSpecifications(
  state: Ec2State,
  resourceId: string,
  resourceType: string,
  specs: TagSpecifications,
): void {
  state.putTags(resourceId, specs.get(resourceType) ?? []);
}

/** The kinds of resource CreateTags accepts, by the resource type their id prefix names. */
const TAGGABLE: Readonly<Record<string, ResourceKind<unknown>>> = {
  instance: KINDS.instance,
  'security-group': KINDS.securityGroup,
  'security-group-rule': KINDS.securityGroupRule,
  'network-interface': KINDS.networkInterface,
  volume: KINDS.volume,
  snapshot: KINDS.snapshot,
  image: KINDS.image,
  vpc: KINDS.vpc,
  subnet: KINDS.subnet,
};

/** Check a taggable resource exists, answering the error its own Describe would. */
function requireTaggable(state: Ec2State, id: string): void {
  const type = resourceTypeOf(id);
  if (type === 'replace-root-volume-task' && state.replaceRootVolumeTasks.has(id)) return;
  if (type === 'launch-template' && state.launchTemplates.has(id)) return;
  const kind = type === undefined ? undefined : TAGGABLE[type];
  if (!kind) throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
  requireOne(state, kind, id);
}

/** Tags as a request gives them: EC2 requires each one's key (its model does not). */
function readTagPairs(tags: readonly Tag[] = [], wireName = 'Tag'): { key: string; value?: string }[] {
  return tags.map((tag, i) => {
    if (tag.Key === undefined) throw missingParameter(`${wireName}.${i + 1}.Key`);
    return { key: tag.Key, value: tag.Value };
  });
}

function createTags({ input, state }: Ec2Context) {
  const ids: string[] = input.Resources ?? [];
  if (ids.length === 0) throw missingParameter('ResourceId.1');
  for (const id of ids) requireTaggable(state, id);
  const tags = readTagPairs(input.Tags).map(({ key, value }) => [key, value ?? ''] as const);
  const reserved = tags.find(([key]) => key.toLowerCase().startsWith('aws:'));
  if (reserved)
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${reserved[0]}) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use`,
    );
  for (const id of ids) state.putTags(id, tags);
  return { return: true };
}

/** A tag given with a value is deleted only when the value matches; without one, whatever it holds. */
function deleteTags({ input, state }: Ec2Context) {
  const ids: string[] = input.Resources ?? [];
  if (ids.length === 0) throw missingParameter('ResourceId.1');
  const requested = readTagPairs(input.Tags);
  for (const id of ids) {
    const tags = state.tags.get(id);
    if (!tags) continue;
    if (requested.length === 0) tags.clear();
    for (const { key, value } of requested) {
      if (value === undefined || tags.get(key) === value) tags.delete(key);
    }
    if (tags.size === 0) state.tags.delete(id);
  }
  return { return: true };
}

interface TagRow {
  readonly resourceId: string;
  readonly resourceType: string;
  readonly key: string;
  readonly value: string;
}

function describeTags({ input, state }: Ec2Context) {
  const rows: TagRow[] = [...state.tags].flatMap(([resourceId, tags]) =>
    [...tags].map(([key, value]) => ({
      resourceId,
      resourceType: resourceTypeOf(resourceId) ?? 'unknown',
      key,
      value,
    })),
  );
  const fields = {
    'resource-id': (r: TagRow) => r.resourceId,
    'resource-type': (r: TagRow) => r.resourceType,
    key: (r: TagRow) => r.key,
    value: (r: TagRow) => r.value,
  };
  // DescribeTags filters on the tag rows (`key`, `resource-id`, `resource-type`, `value`) and on
  // the tags of their resource (`tag:<key>`), and documents no other
  // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html).
  const matching = applyFilters(state, rows, (r) => r.resourceId, readFilters(input), fields, ['tag:']);
  const page = paginate(matching, input);
  return { tagSet: page.items.map((row) => ({ ...row })), nextToken: page.nextToken };
}

/** CreateTags, DeleteTags, DescribeTags. */
export const tagOperations: Ec2Operations = {
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
};
