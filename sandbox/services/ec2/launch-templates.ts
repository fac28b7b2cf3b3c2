import type {
  CreateLaunchTemplateRequest,
  CreateLaunchTemplateVersionRequest,
  DeleteLaunchTemplateRequest,
  DescribeLaunchTemplatesRequest,
  LaunchTemplateSpecification,
  RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters } from './filters.ts';
import { newEc2Id } from './ids.ts';
import type { LaunchTemplate } from './resources.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';

/** The system tags AWS puts on an instance launched from a template. */
export const LAUNCH_TEMPLATE_TAGS = {
  id: 'aws:ec2launchtemplate:id',
  version: 'aws:ec2launchtemplate:version',
} as const;

function templateView(state: Ec2State, template: LaunchTemplate) {
  return {
    LaunchTemplateId: template.launchTemplateId,
    LaunchTemplateName: template.launchTemplateName,
    CreateTime: template.createTime,
    CreatedBy: `arn:aws:iam::${state.accountId}:root`,
    DefaultVersionNumber: template.defaultVersion,
    LatestVersionNumber: Math.max(...template.versions.keys()),
    Tags: state.tagSet(template.launchTemplateId),
  };
}

function byName(state: Ec2State, name: string): LaunchTemplate | undefined {
  return [...state.launchTemplates.values()].find((t) => t.launchTemplateName === name);
}

/** The template a request names by `LaunchTemplateId` or `LaunchTemplateName`, answering AWS's errors. */
function requireTemplate(
  state: Ec2State,
  named: { LaunchTemplateId?: string | undefined; LaunchTemplateName?: string | undefined },
): LaunchTemplate {
  const id = named.LaunchTemplateId;
  const name = named.LaunchTemplateName;
  if (id) {
    const template = state.launchTemplates.get(id);
    if (!template)
      throw new AwsError(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
    return template;
  }
  if (name) {
    const template = byName(state, name);
    if (!template)
      throw new AwsError(
        'InvalidLaunchTemplateName.NotFoundException',
        `The specified launch template, with template name ${name}, does not exist.`,
      );
    return template;
  }
  throw new AwsError('MissingParameter', 'The request must include either a launch template ID or name.');
}

/** A version as requests name it: a number, `$Latest` or `$Default` (the default when absent). */
function versionNumber(template: LaunchTemplate, version: string | undefined): number {
  if (version === undefined || version === '$Default') return template.defaultVersion;
  if (version === '$Latest') return Math.max(...template.versions.keys());
  const number = Number(version);
  if (!Number.isInteger(number) || !template.versions.has(number))
    throw new AwsError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${version} for template ${template.launchTemplateId}.`,
    );
  return number;
}

/**
 * The launch template RunInstances names (`LaunchTemplate`): its data, which the request's own
 * members override, and the system tags the launched instances get.
 */
export function resolveLaunchTemplate(
  state: Ec2State,
  spec: LaunchTemplateSpecification,
): { data: RequestLaunchTemplateData; tags: [string, string][] } {
  const template = requireTemplate(state, spec);
  const number = versionNumber(template, spec.Version);
  const version = template.versions.get(number);
  if (!version) throw new AwsError('InvalidLaunchTemplateId.VersionNotFound', `No version ${number}.`);
  return {
    data: version.data,
    tags: [
      [LAUNCH_TEMPLATE_TAGS.id, template.launchTemplateId],
      [LAUNCH_TEMPLATE_TAGS.version, String(number)],
    ],
  };
}

function createLaunchTemplate({ input, state, now }: Ec2Context) {
  const request = input as CreateLaunchTemplateRequest;
  const name = requiredMember(request, 'LaunchTemplateName');
  if (!/^[a-zA-Z0-9().\-/_]{3,128}$/.test(name))
    throw new AwsError(
      'InvalidLaunchTemplateName.MalformedException',
      `The launch template name ${name} is malformed.`,
    );
  if (byName(state, name))
    throw new AwsError(
      'InvalidLaunchTemplateName.AlreadyExistsException',
      `Launch template name already in use.`,
    );
  const template: LaunchTemplate = {
    launchTemplateId: newEc2Id('lt'),
    launchTemplateName: name,
    createTime: now,
    defaultVersion: 1,
    versions: new Map([
      [
        1,
        {
          versionNumber: 1,
          description: request.VersionDescription,
          data: request.LaunchTemplateData ?? {},
          createTime: now,
        },
      ],
    ]),
  };
  state.launchTemplates.set(template.launchTemplateId, template);
  applyTagSpecifications(state, template.launchTemplateId, 'launch-template', readTagSpecifications(input));
  return { LaunchTemplate: templateView(state, template) };
}

/**
 * A new version: its data, over the source version's when one is named ("parameters that you
 * specify in LaunchTemplateData override the same parameters in the source version",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html).
 */
function createLaunchTemplateVersion({ input, state, now }: Ec2Context) {
  const request = input as CreateLaunchTemplateVersionRequest;
  const template = requireTemplate(state, request);
  const source = request.SourceVersion;
  const base = source === undefined ? {} : template.versions.get(versionNumber(template, source))?.data;
  const data: RequestLaunchTemplateData = { ...base, ...request.LaunchTemplateData };
  const number = Math.max(...template.versions.keys()) + 1;
  template.versions.set(number, {
    versionNumber: number,
    description: request.VersionDescription,
    data,
    createTime: now,
  });
  return {
    LaunchTemplateVersion: {
      LaunchTemplateId: template.launchTemplateId,
      LaunchTemplateName: template.launchTemplateName,
      VersionNumber: number,
      VersionDescription: request.VersionDescription,
      DefaultVersion: false,
      CreateTime: now,
    },
  };
}

const TEMPLATE_FILTERS: FilterFields<LaunchTemplate> = {
  'launch-template-name': (t) => t.launchTemplateName,
};

function describeLaunchTemplates({ input, state }: Ec2Context) {
  const request = input as DescribeLaunchTemplatesRequest;
  const ids = request.LaunchTemplateIds ?? [];
  const names = request.LaunchTemplateNames ?? [];
  for (const id of ids)
    if (!state.launchTemplates.has(id))
      throw new AwsError(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
  for (const name of names)
    if (!byName(state, name))
      throw new AwsError(
        'InvalidLaunchTemplateName.NotFoundException',
        `At least one of the launch templates specified in the request does not exist.`,
      );
  const scope = [...state.launchTemplates.values()].filter(
    (t) =>
      (ids.length === 0 && names.length === 0) ||
      ids.includes(t.launchTemplateId) ||
      names.includes(t.launchTemplateName),
  );
  const filtered = applyFilters(
    state,
    scope,
    (t) => t.launchTemplateId,
    readFilters(input),
    TEMPLATE_FILTERS,
  );
  const page = paginate(filtered, input);
  return { LaunchTemplates: page.items.map((t) => templateView(state, t)), NextToken: page.nextToken };
}

function deleteLaunchTemplate({ input, state }: Ec2Context) {
  const template = requireTemplate(state, input as DeleteLaunchTemplateRequest);
  state.launchTemplates.delete(template.launchTemplateId);
  return { LaunchTemplate: templateView(state, template) };
}

/** CreateLaunchTemplate, CreateLaunchTemplateVersion, DescribeLaunchTemplates, DeleteLaunchTemplate. */
export const launchTemplateOperations: Ec2Operations = {
  CreateLaunchTemplate: createLaunchTemplate,
  CreateLaunchTemplateVersion: createLaunchTemplateVersion,
  DescribeLaunchTemplates: describeLaunchTemplates,
  DeleteLaunchTemplate: deleteLaunchTemplate,
};
