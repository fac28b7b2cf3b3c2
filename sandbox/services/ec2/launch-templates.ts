import { AwsError } from '../../protocol.ts';
import type { Ec2Context, Ec2Operations } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters } from './filters.ts';
import type { FormParams } from './form-params.ts';
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
    launchTemplateId: template.launchTemplateId,
    launchTemplateName: template.launchTemplateName,
    createTime: template.createTime,
    createdBy: `arn:aws:iam::${state.accountId}:root`,
    defaultVersionNumber: template.defaultVersion,
    latestVersionNumber: Math.max(...template.versions.keys()),
    tagSet: state.tagSet(template.launchTemplateId),
  };
}

function byName(state: Ec2State, name: string): LaunchTemplate | undefined {
  return [...state.launchTemplates.values()].find((t) => t.launchTemplateName === name);
}

/** The template a request names by `LaunchTemplateId` or `LaunchTemplateName`, answering AWS's errors. */
function requireTemplate(state: Ec2State, params: FormParams): LaunchTemplate {
  const id = params.string('LaunchTemplateId');
  const name = params.string('LaunchTemplateName');
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
 * The launch template RunInstances names (`LaunchTemplate.*`): its data, as parameters the
 * request's own override, and the system tags the launched instances get.
 */
export function resolveLaunchTemplate(
  state: Ec2State,
  params: FormParams,
): { data: ReadonlyMap<string, string>; tags: [string, string][] } {
  const spec = params.struct('LaunchTemplate');
  const template = requireTemplate(state, spec);
  const number = versionNumber(template, spec.string('Version'));
  const version = template.versions.get(number);
  if (!version) throw new AwsError('InvalidLaunchTemplateId.VersionNotFound', `No version ${number}.`);
  // The template's tag specifications are `TagSpecification.N` in its data, RunInstances' name too.
  return {
    data: version.data,
    tags: [
      [LAUNCH_TEMPLATE_TAGS.id, template.launchTemplateId],
      [LAUNCH_TEMPLATE_TAGS.version, String(number)],
    ],
  };
}

function createLaunchTemplate({ input, params, state, now }: Ec2Context) {
  const name = params.required('LaunchTemplateName');
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
  if (!params.has('LaunchTemplateData')) params.required('LaunchTemplateData');
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
          description: params.string('VersionDescription'),
          data: params.entriesUnder('LaunchTemplateData'),
          createTime: now,
        },
      ],
    ]),
  };
  state.launchTemplates.set(template.launchTemplateId, template);
  applyTagSpecifications(state, template.launchTemplateId, 'launch-template', readTagSpecifications(input));
  return { launchTemplate: templateView(state, template) };
}

function createLaunchTemplateVersion({ params, state, now }: Ec2Context) {
  const template = requireTemplate(state, params);
  const source = params.string('SourceVersion');
  const base =
    source === undefined
      ? new Map<string, string>()
      : template.versions.get(versionNumber(template, source))?.data;
  const data = new Map([...(base ?? []), ...params.entriesUnder('LaunchTemplateData')]);
  const number = Math.max(...template.versions.keys()) + 1;
  template.versions.set(number, {
    versionNumber: number,
    description: params.string('VersionDescription'),
    data,
    createTime: now,
  });
  return {
    launchTemplateVersion: {
      launchTemplateId: template.launchTemplateId,
      launchTemplateName: template.launchTemplateName,
      versionNumber: number,
      versionDescription: params.string('VersionDescription'),
      defaultVersion: false,
      createTime: now,
    },
  };
}

const TEMPLATE_FILTERS: FilterFields<LaunchTemplate> = {
  'launch-template-name': (t) => t.launchTemplateName,
};

function describeLaunchTemplates({ input, params, state }: Ec2Context) {
  const ids = params.list('LaunchTemplateId');
  const names = params.list('LaunchTemplateName');
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
  return { launchTemplates: page.items.map((t) => templateView(state, t)), nextToken: page.nextToken };
}

function deleteLaunchTemplate({ params, state }: Ec2Context) {
  const template = requireTemplate(state, params);
  state.launchTemplates.delete(template.launchTemplateId);
  return { launchTemplate: templateView(state, template) };
}

/** CreateLaunchTemplate, CreateLaunchTemplateVersion, DescribeLaunchTemplates, DeleteLaunchTemplate. */
export const launchTemplateOperations: Ec2Operations = {
  CreateLaunchTemplate: createLaunchTemplate,
  CreateLaunchTemplateVersion: createLaunchTemplateVersion,
  DescribeLaunchTemplates: describeLaunchTemplates,
  DeleteLaunchTemplate: deleteLaunchTemplate,
};
