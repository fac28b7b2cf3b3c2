import path from 'node:path';
import { readAssembly, type Template } from '#sandbox/deploy/assembly.ts';
import { physicalResources, resolveTemplate } from '#sandbox/deploy/resolve.ts';
import { MEMBER_A, ORG_ASSEMBLY, SECURITY } from '../../e2e/org/organization.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** One synthesized stack with every intrinsic resolved as CloudFormation would for its target. */
export interface ResolvedStack {
  /** `single/AutoRemediation`, `organization/AutoRemediationMember`, … */
  label: string;
  accountId: string;
  region: string;
  template: Template;
}

/**
 * Every stack the global setup synthesized, single-account and organization mode, resolved for a
 * realistic target: the checks below then see real ARNs (account, region, generated names), not
 * CDK tokens. Member stacks are resolved into a member account, where StackSets deploy them.
 */
export function resolvedStacks(): ResolvedStack[] {
  const modes = [
    { mode: 'single', dir: path.join(ROOT, 'cdk.out') },
    { mode: 'organization', dir: ORG_ASSEMBLY },
  ];
  return modes.flatMap(({ mode, dir }) =>
    readAssembly(dir).map((stack) => {
      const accountId = stack.stackName.startsWith('AutoRemediationMember') ? MEMBER_A : SECURITY;
      const target = {
        stackName: stack.stackName,
        accountId,
        region: 'us-east-1',
        endpoint: 'http://sandbox',
      };
      const template = resolveTemplate(stack.template, target, physicalResources(stack.template, target));
      return { label: `${mode}/${stack.stackName}`, accountId, region: target.region, template };
    }),
  );
}

/** A state machine's definition, parsed, with its stack's label and logical id. */
export interface Definition {
  label: string;
  definition: { StartAt: string; States: Record<string, Record<string, unknown>> };
}

/** The definitions of every state machine of every stack. */
export function stateMachineDefinitions(stacks: ResolvedStack[]): Definition[] {
  return stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources)
      .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
      .map(([id, r]) => ({
        label: `${stack.label}/${id}`,
        definition: JSON.parse(r.Properties?.DefinitionString as string),
      })),
  );
}

/** Every state of a definition, nested ones (Map iterators, Parallel branches) included. */
export function allStates(definition: {
  States: Record<string, Record<string, unknown>>;
}): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [];
  const visit = (states: Record<string, Record<string, unknown>>) => {
    for (const [name, state] of Object.entries(states)) {
      out.push([name, state]);
      for (const key of ['Iterator', 'ItemProcessor'] as const) {
        const inner = state[key] as { States?: Record<string, Record<string, unknown>> } | undefined;
        if (inner?.States) visit(inner.States);
      }
      for (const branch of (state.Branches as { States: Record<string, Record<string, unknown>> }[]) ?? [])
        visit(branch.States);
    }
  };
  visit(definition.States);
  return out;
}

/** An IAM policy statement as CloudFormation holds it. */
export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every identity-policy statement, with the stack, and the role (logical id) it is attached to. */
export function identityStatements(stack: ResolvedStack): { where: string; statement: Statement }[] {
  const out: { where: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(stack.template.Resources)) {
    const p = r.Properties ?? {};
    const documents: { name: string; doc: { Statement: Statement[] } }[] = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      documents.push({ name: id, doc: p.PolicyDocument });
    if (r.Type === 'AWS::IAM::Role')
      for (const inline of (p.Policies as {
        PolicyName: string;
        PolicyDocument: { Statement: Statement[] };
      }[]) ?? [])
        documents.push({ name: `${id}/${inline.PolicyName}`, doc: inline.PolicyDocument });
    for (const { name, doc } of documents)
      for (const statement of doc.Statement) out.push({ where: `${stack.label}/${name}`, statement });
  }
  return out;
}

/** A policy element that may be one string or a list, as a list. */
export function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
