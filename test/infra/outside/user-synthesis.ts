import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '#infra/app.ts';
import type { Template } from '#sandbox/deploy/assembly.ts';
import { type PhysicalResource, physicalResources, resolveTemplate } from '#sandbox/deploy/resolve.ts';
import { HOME_REGION, MEMBER_A, ORG, OTHER_REGION, SECURITY } from '../../e2e/org/organization.ts';

/** The shell a user synthesizes from: logged in to the account the product runs in (the security account). */
const SHELL = { CDK_DEFAULT_ACCOUNT: SECURITY, CDK_DEFAULT_REGION: HOME_REGION };

/** One synthesized stack, as written and as CloudFormation resolves it where it is deployed. */
export interface DeployedStack {
  /** `single/AutoRemediation`, `organization/AutoRemediationMember`, … */
  label: string;
  mode: 'single' | 'organization';
  accountId: string;
  region: string;
  /** As synthesized: `Ref`/`Fn::GetAtt` still tell which resource points at which. */
  raw: Template;
  /** Every intrinsic resolved for the account and region the stack is deployed in. */
  template: Template;
  physical: Map<string, PhysicalResource>;
}

/**
 * Build the app as `cdk synth` does in a shell with credentials (`CDK_DEFAULT_ACCOUNT` and
 * `CDK_DEFAULT_REGION` set), in single-account mode and in organization mode, and resolve every
 * stack where it is deployed: the security stack in the shell's account and region, the member
 * stacks in a member account (StackSets). Assets are not bundled: policies do not depend on them.
 */
export function synthesizedAsAUser(): DeployedStack[] {
  const modes = [
    { mode: 'single' as const, context: {} },
    {
      mode: 'organization' as const,
      context: {
        organizationId: ORG,
        securityAccountId: SECURITY,
        regions: `${HOME_REGION},${OTHER_REGION}`,
      },
    },
  ];
  const saved = Object.fromEntries(Object.keys(SHELL).map((k) => [k, process.env[k]]));
  Object.assign(process.env, SHELL);
  try {
    return modes.flatMap(({ mode, context }) => {
      const outdir = mkdtempSync(path.join(os.tmpdir(), 'user-synth-'));
      try {
        const { app } = buildApp(
          new App({
            outdir,
            context: { ...context, 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
          }),
        );
        return app.synth().stacks.map((stack) => {
          const raw = stack.template as Template;
          const accountId = stack.stackName.startsWith('AutoRemediationMember') ? MEMBER_A : SECURITY;
          const target = {
            stackName: stack.stackName,
            accountId,
            region: HOME_REGION,
            endpoint: 'http://aws',
          };
          const physical = physicalResources(raw, target);
          const template = resolveTemplate(raw, target, physical);
          return {
            label: `${mode}/${stack.stackName}`,
            mode,
            accountId,
            region: HOME_REGION,
            raw,
            template,
            physical,
          };
        });
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** The logical id a `Fn::GetAtt [id, Arn]` or `Ref id` points at. */
export function referencedId(value: unknown): string | undefined {
  const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string } | undefined;
  return v?.['Fn::GetAtt']?.[0] ?? v?.Ref;
}

/**
 * The identity-policy documents (JSON text) of a role: its inline policies, and the
 * `AWS::IAM::Policy` and customer managed policies of the template attached to it.
 */
export function rolePolicies(stack: DeployedStack, roleId: string): string[] {
  const documents: unknown[] = [];
  for (const [id, r] of Object.entries(stack.raw.Resources)) {
    const resolved = stack.template.Resources[id]?.Properties ?? {};
    if (id === roleId)
      for (const inline of (resolved.Policies as { PolicyDocument: unknown }[] | undefined) ?? [])
        documents.push(inline.PolicyDocument);
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = (r.Properties?.Roles as unknown[] | undefined) ?? [];
    if (roles.some((role) => referencedId(role) === roleId)) documents.push(resolved.PolicyDocument);
  }
  return documents.map((d) => JSON.stringify(d));
}
