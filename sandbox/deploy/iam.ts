import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  EntityAlreadyExistsException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { SandboxClients } from '../clients.ts';
import type { Template } from './assembly.ts';
import type { DeployTarget, PhysicalResource } from './resolve.ts';

/** A deployment that cannot go on, as CloudFormation would fail it (the stack, and why). */
export class DeploymentError extends Error {
  override name = 'DeploymentError';
}

const json = (document: unknown) => (typeof document === 'string' ? document : JSON.stringify(document));

/**
 * Create the stack's IAM roles (`AWS::IAM::Role`, with their inline `Policies`) and attach its
 * `AWS::IAM::Policy` documents to their roles, through IAM's own API in the target account.
 * IAM is global: a role name is taken once per account, in every region, so deploying the same
 * stack with a fixed role name in two regions fails here, as it would in CloudFormation.
 */
export async function deployIam(
  template: Template,
  physical: Map<string, PhysicalResource>,
  target: DeployTarget,
  iam: SandboxClients['iam'],
): Promise<void> {
  const of = (type: string) => [...physical.values()].filter((r) => r.type === type);
  const props = (r: PhysicalResource) => template.Resources[r.logicalId]?.Properties ?? {};
  for (const role of of('AWS::IAM::Role')) {
    const p = props(role);
    if (p.ManagedPolicyArns?.length || p.PermissionsBoundary) {
      throw new DeploymentError(
        `${target.stackName}: role ${role.logicalId} uses managed policies or a permissions boundary, which the sandbox deployer does not attach`,
      );
    }
    try {
      await iam.send(
        new CreateRoleCommand({
          RoleName: role.name,
          Path: p.Path,
          AssumeRolePolicyDocument: json(p.AssumeRolePolicyDocument),
          Description: p.Description,
          MaxSessionDuration: p.MaxSessionDuration,
          Tags: p.Tags,
        }),
      );
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
      throw new DeploymentError(
        `${target.stackName} in ${target.region}: role ${role.name} (${role.logicalId}) already exists in account ${target.accountId}; IAM role names are global to an account, so a stack deployed in several regions needs a role name per region`,
        { cause: err },
      );
    }
    for (const policy of p.Policies ?? []) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: role.name,
          PolicyName: policy.PolicyName,
          PolicyDocument: json(policy.PolicyDocument),
        }),
      );
    }
  }
  for (const policy of of('AWS::IAM::Policy')) {
    const p = props(policy);
    if (p.Users?.length || p.Groups?.length) {
      throw new DeploymentError(
        `${target.stackName}: policy ${policy.logicalId} is attached to users or groups, which the sandbox deployer does not do`,
      );
    }
    for (const roleName of p.Roles ?? []) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: p.PolicyName ?? policy.name,
          PolicyDocument: json(p.PolicyDocument),
        }),
      );
    }
  }
  await attachManagedPolicies(of('AWS::IAM::ManagedPolicy'), props, target, iam);
}

/**
 * `AWS::IAM::ManagedPolicy` attached to the stack's roles (`Roles`); CDK moves a role's grants into
 * such policies when its inline policies would pass IAM's 10,240-character limit. Created and
 * attached through IAM's own API, which applies IAM's quotas for managed policies.
 */
async function attachManagedPolicies(
  policies: readonly PhysicalResource[],
  props: (r: PhysicalResource) => NonNullable<Template['Resources'][string]['Properties']>,
  target: DeployTarget,
  iam: SandboxClients['iam'],
): Promise<void> {
  for (const policy of policies) {
    const p = props(policy);
    if (p.Users?.length || p.Groups?.length) {
      throw new DeploymentError(
        `${target.stackName}: managed policy ${policy.logicalId} is attached to users or groups, which the sandbox deployer does not do`,
      );
    }
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: p.ManagedPolicyName ?? policy.name,
        Path: p.Path,
        Description: p.Description,
        PolicyDocument: json(p.PolicyDocument),
      }),
    );
    for (const roleName of p.Roles ?? [])
      await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: created.Policy?.Arn }));
  }
}
