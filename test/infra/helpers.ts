import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '#infra/app.ts';
import { matchesPattern } from '#sandbox/event-pattern/index.ts';
import { matchesWildcard } from '#shared/policy/wildcard.ts';
import { testTemplateJson } from './synthesized-template.ts';

/**
 * The real app's template (default policy, bundled functions), exactly what `synthesize().template`
 * gives, synthesized once per run by the global setup (see synthesized-template.ts).
 */
export function synthesizedTemplate(): Template {
  return Template.fromJSON(testTemplateJson());
}

/** Synthesize the real app (default policy, bundled functions) in this file: for another context, or the app itself. */
export function synthesize(context: Record<string, unknown> = {}): {
  app: App;
  template: Template;
  stack: ReturnType<typeof buildApp>['stack'];
} {
  const app = new App({ context, outdir: undefined });
  const { stack } = buildApp(app);
  return { app, stack, template: Template.fromStack(stack) };
}

/** Turn a CloudFormation `Fn::Join` definition string into parseable JSON, tokens replaced by placeholders. */
export function definitionOf(
  template: Template,
  logicalIdPrefix: string,
): { StartAt: string; States: Record<string, AslState> } {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const entry = Object.entries(machines).find(([id]) => id.startsWith(logicalIdPrefix));
  if (!entry)
    throw new Error(`no state machine ${logicalIdPrefix}*; have ${Object.keys(machines).join(', ')}`);
  const body = entry[1].Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map(tokenText).join(body['Fn::Join'][0]);
  return JSON.parse(text);
}

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Default?: string;
  Choices?: { Next: string; StringEquals?: string; Variable?: string }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; JitterStrategy?: string }[];
  Parameters?: Record<string, unknown>;
}

/**
 * What a task state calls: `audit:<action>` for an audit record appended through the trail's
 * appender function (its payload is the record), otherwise its resource.
 */
export function callOf(state: AslState | undefined): string | undefined {
  const record = (state?.Parameters as { record?: { actor?: string; action?: string } } | undefined)?.record;
  if (record?.actor?.startsWith('playbook/')) return `audit:${record.action}`;
  return state?.Resource;
}

/**
 * Follow `Next` from `start` until an end state, returning the state names in order. At a Choice
 * the path stops, unless `throughChoices` (then it takes the default branch) or `choose` names the
 * branch to take.
 */
export function pathFrom(
  states: Record<string, AslState>,
  start: string,
  options: {
    throughChoices?: boolean;
    choose?: (name: string, choice: AslState) => string | undefined;
  } = {},
): string[] {
  const seen: string[] = [];
  let current: string | undefined = start;
  while (current && !seen.includes(current)) {
    seen.push(current);
    const state: AslState | undefined = states[current];
    if (state?.Type === 'Choice' && options.choose) current = options.choose(current, state);
    // A Choice's default branch is the path taken when none of its conditions holds.
    else
      current =
        state?.Next ?? (options.throughChoices && state?.Type === 'Choice' ? state.Default : undefined);
  }
  return seen;
}

/** Pseudo parameters read as their usual values; any other token as a placeholder. */
function tokenText(part: unknown): string {
  if (typeof part === 'string') return part;
  const ref = (part as { Ref?: string }).Ref;
  if (ref === 'AWS::Partition') return 'aws';
  return 'TOKEN';
}

/**
 * A policy document of the template as it reads once deployed into `account` and `region`:
 * pseudo parameters resolved, `Fn::Join` joined, a role's `Fn::GetAtt ... Arn` its ARN (by its
 * `RoleName`, else its logical id). JSON text, for the sandbox's policy evaluation.
 */
export function deployedDocument(
  template: Template,
  document: unknown,
  where: { account: string; region: string },
): string {
  const resources = template.toJSON().Resources as Record<string, { Properties?: { RoleName?: string } }>;
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (!node || typeof node !== 'object') return node;
    const object = node as Record<string, unknown>;
    if ('Ref' in object) {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': where.region,
        'AWS::AccountId': where.account,
      };
      return pseudo[object.Ref as string] ?? object.Ref;
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as string[]).join(separator);
    }
    if ('Fn::GetAtt' in object) {
      const [logicalId] = object['Fn::GetAtt'] as [string, string];
      const name = resources[logicalId]?.Properties?.RoleName ?? logicalId;
      return `arn:aws:iam::${where.account}:role/${resolve(name)}`;
    }
    return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, resolve(value)]));
  };
  return JSON.stringify(resolve(document));
}

/** One IAM policy statement as a template holds it (tokens unresolved). */
export interface IamStatement {
  Effect: string;
  /** Absent in a NotAction statement. */
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, string>>;
}

/** Every statement of the `AWS::IAM::Policy` resources whose logical id starts with `logicalIdPrefix`. */
export function iamStatementsOf(template: Template, logicalIdPrefix: string): IamStatement[] {
  // A role whose inline policy outgrows IAM's size quota gets the rest in CDK's overflow managed
  // policies (`<Role>OverflowPolicyN`), attached to it: those statements are the role's too.
  return Object.entries({
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  })
    .filter(([id]) => id.startsWith(logicalIdPrefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as IamStatement[]);
}

/** A statement's actions as a list (a single action is a string in the template). */
export function statementActions(statement: IamStatement): string[] {
  return [statement.Action ?? []].flat();
}

/** A statement's Resource as JSON text, for matching the resource types it names. */
export function resourceText(statement: IamStatement): string {
  return JSON.stringify(statement.Resource);
}

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive as IAM compares actions) names `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  return matchesWildcard(action.toLowerCase(), pattern.toLowerCase());
}

/** Whether the statement's Action (or, for a NotAction statement, what it leaves out) covers `action`. */
export function statementCoversAction(statement: IamStatement, action: string): boolean {
  return statement.Action !== undefined
    ? statementActions(statement).some((p) => actionMatches(p, action))
    : ![statement.NotAction ?? []].flat().some((p) => actionMatches(p, action));
}

/**
 * Every identity policy of a template with the roles (logical ids) it applies to: each
 * `AWS::IAM::Policy`, each of CDK's overflow `AWS::IAM::ManagedPolicy`, each inline policy of a role.
 */
export function rolePolicies(template: Template): { roles: string[]; statements: IamStatement[] }[] {
  const roleRefs = (roles: unknown) => ((roles as { Ref: string }[] | undefined) ?? []).map((r) => r.Ref);
  const attached = Object.values({
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  }).map((policy) => ({
    roles: roleRefs(policy.Properties.Roles),
    statements: policy.Properties.PolicyDocument.Statement as IamStatement[],
  }));
  const inline = Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([id, role]) =>
    ((role.Properties.Policies as { PolicyDocument: { Statement: IamStatement[] } }[] | undefined) ?? []).map(
      (policy) => ({ roles: [id], statements: policy.PolicyDocument.Statement }),
    ),
  );
  return [...attached, ...inline];
}

/** An EventBridge rule as a template holds it, by logical id. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation resources as Template returns them.
export type EventRule = [logicalId: string, rule: { [key: string]: any }];

/** The EventBridge rules of a template. */
export function eventRules(template: Template): EventRule[] {
  return Object.entries(template.findResources('AWS::Events::Rule'));
}

/** The rules among `rules` whose pattern matches `event`, by logical id without its hash. */
export function rulesMatching(rules: readonly EventRule[], event: unknown): string[] {
  return rules
    .filter(([, rule]) => matchesPattern(rule.Properties.EventPattern, event))
    .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
}

/** The folder of the sample events (test/fixtures/events/). */
export const EVENT_FIXTURES = new URL('../fixtures/events/', import.meta.url);

/** A sample event of test/fixtures/events/, parsed (a fresh copy each call, free to change). */
// biome-ignore lint/suspicious/noExplicitAny: events of every source, changed field by field by the tests.
export function eventFixture(name: string): any {
  return JSON.parse(readFileSync(new URL(name, EVENT_FIXTURES), 'utf8'));
}
