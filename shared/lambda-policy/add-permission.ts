import type { PolicyStatement } from './public-statements.ts';

/**
 * The AddPermission request that puts a removed statement back, when the API can express it
 * exactly. AddPermission takes one principal (`*`, an account id, an ARN or a service), one
 * action, and a fixed set of conditions, each written under one key
 * (https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). A statement is restorable only
 * if the statement that request makes is the recorded one (condition keys compared as IAM does,
 * case-insensitively); anything else is reported as not restorable, never approximated.
 */
export interface AddPermissionRequest {
  readonly FunctionName: string;
  readonly StatementId: string;
  readonly Action: string;
  readonly Principal: string;
  readonly SourceArn?: string;
  readonly SourceAccount?: string;
  readonly PrincipalOrgID?: string;
  readonly FunctionUrlAuthType?: string;
  readonly InvokedViaFunctionUrl?: boolean;
}

/** The optional request members undo can send (its Step Functions task passes each when present). */
export const RESTORABLE_CONDITIONS = [
  'SourceArn',
  'SourceAccount',
  'PrincipalOrgID',
  'FunctionUrlAuthType',
  'InvokedViaFunctionUrl',
] as const;

/** Each optional member: the condition operator and key Lambda writes it under. */
const CONDITION_OF: Record<(typeof RESTORABLE_CONDITIONS)[number], [string, string]> = {
  SourceArn: ['ArnLike', 'AWS:SourceArn'],
  SourceAccount: ['StringEquals', 'AWS:SourceAccount'],
  PrincipalOrgID: ['StringEquals', 'aws:PrincipalOrgID'],
  FunctionUrlAuthType: ['StringEquals', 'lambda:FunctionUrlAuthType'],
  InvokedViaFunctionUrl: ['Bool', 'lambda:InvokedViaFunctionUrl'],
};

/** The statement Lambda writes for `request` on the function `functionArn`. */
export function statementFor(request: AddPermissionRequest, functionArn: string): PolicyStatement {
  const partition = functionArn.split(':')[1] ?? 'aws';
  const p = request.Principal;
  const principal =
    p === '*'
      ? '*'
      : /^\d{12}$/.test(p)
        ? { AWS: `arn:${partition}:iam::${p}:root` }
        : p.startsWith('arn:')
          ? { AWS: p }
          : { Service: p };
  const condition: Record<string, Record<string, unknown>> = {};
  for (const member of RESTORABLE_CONDITIONS) {
    const value = request[member];
    if (value === undefined) continue;
    const [operator, key] = CONDITION_OF[member];
    condition[operator] = {
      ...condition[operator],
      [key]: typeof value === 'boolean' ? String(value) : value,
    };
  }
  return {
    Sid: request.StatementId,
    Effect: 'Allow',
    Principal: principal,
    Action: request.Action,
    Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/** A statement with its condition keys lower case and Bool values as text, keys sorted: IAM's reading. */
function canonical(statement: PolicyStatement): string {
  const sort = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sort)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, sort(v)]),
          )
        : value;
  const condition = Object.fromEntries(
    Object.entries(statement.Condition ?? {}).map(([operator, entries]) => [
      operator,
      Object.fromEntries(
        Object.entries(entries).map(([k, v]) => [k.toLowerCase(), operator === 'Bool' ? String(v) : v]),
      ),
    ]),
  );
  return JSON.stringify(sort({ ...statement, Condition: condition }));
}

/** The request restoring `statement` exactly, or why none can. */
export function restoreRequest(
  statement: PolicyStatement,
  functionName: string,
  functionArn: string,
): { request: AddPermissionRequest } | { notRestorable: string } {
  const refuse = (why: string) => ({ notRestorable: `AddPermission cannot restore it exactly: ${why}` });
  if (!statement.Sid) return refuse('it has no Sid');
  if (typeof statement.Action !== 'string') return refuse('it names more than one action');
  const principal = principalOf(statement.Principal);
  if (!principal) return refuse('its Principal is not one account, ARN, service or *');
  const members: Record<string, string | boolean> = {};
  for (const [operator, entries] of Object.entries(statement.Condition ?? {}))
    for (const [key, value] of Object.entries(entries)) {
      const member = RESTORABLE_CONDITIONS.find(
        (m) => CONDITION_OF[m][0] === operator && CONDITION_OF[m][1].toLowerCase() === key.toLowerCase(),
      );
      if (!member || (typeof value !== 'string' && typeof value !== 'boolean'))
        return refuse(`its condition ${operator} ${key} is not one AddPermission writes`);
      members[member] = member === 'InvokedViaFunctionUrl' ? String(value) === 'true' : String(value);
    }
  const request: AddPermissionRequest = {
    FunctionName: functionName,
    StatementId: statement.Sid,
    Action: statement.Action,
    Principal: principal,
    ...members,
  };
  if (canonical(statementFor(request, functionArn)) !== canonical(statement))
    return refuse('the statement AddPermission would write differs from it');
  return { request };
}

/** AddPermission's `Principal` for a statement's Principal element, if it is one it can write. */
function principalOf(principal: unknown): string | undefined {
  if (principal === '*') return '*';
  if (typeof principal !== 'object' || principal === null) return undefined;
  const entries = Object.entries(principal);
  const [kind, value] = entries[0] ?? [];
  if (entries.length !== 1 || typeof value !== 'string') return undefined;
  if (kind === 'Service') return value;
  if (kind !== 'AWS') return undefined;
  return /^arn:[\w-]+:iam::(\d{12}):root$/.exec(value)?.[1] ?? value;
}
