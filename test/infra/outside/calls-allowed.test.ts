import { beforeAll, describe, expect, it } from 'vitest';
import {
  conditionContext,
  evaluatePolicies,
  type PolicyDecision,
  type PolicyPrincipal,
} from '#sandbox/services/iam/policy-evaluation.ts';
import { ORG } from '../../e2e/org/organization.ts';
import { requestResources } from './request-arns.ts';
import { NOT_MADE, type RoleCall, roleCalls } from './role-calls.ts';
import { type DeployedStack, rolePolicies, synthesizedAsAUser } from './user-synthesis.ts';

/**
 * Every call a playbook, an undo or a function makes, decided by the product's own IAM evaluation
 * (the sandbox's) on the policies of the role that makes it, for a realistic resource ARN of each
 * resource type the IAM service authorization reference says the action requires: in single-account
 * and organization mode, synthesized as a user does (credentials in the shell). In an organization,
 * a task with `Credentials` is made by the member account's execution role, which the playbook's
 * role must be allowed, and trusted, to assume. Calls on an IAM user or role are then tried on the
 * protected principals and on the product's own roles: denied.
 */
const BREAK_GLASS = 'break-glass-admin';

let stacks: DeployedStack[];
let calls: RoleCall[];
beforeAll(async () => {
  stacks = synthesizedAsAUser();
  calls = await roleCalls(stacks);
}, 180_000);

/** A session of a role of a stack, as a request's principal. */
function session(stack: DeployedStack, roleId: string): PolicyPrincipal {
  const role = stack.physical.get(roleId);
  if (!role) throw new Error(`${stack.label}: no role ${roleId}`);
  return {
    arn: `arn:aws:sts::${stack.accountId}:assumed-role/${role.name}/session`,
    principalArn: role.arn,
    accountId: stack.accountId,
    type: 'AssumedRole',
    session: { issuedAt: new Date(), mfaAuthenticated: false },
  };
}

/** The decision of IAM on one request by `call`'s role, for `action` on `resource`. */
function decide(
  call: RoleCall,
  action: string,
  resource: string,
  policies = rolePolicies(call.stack, call.roleId),
): PolicyDecision {
  const organizationId = call.stack.mode === 'organization' ? ORG : undefined;
  return evaluatePolicies(policies, {
    action,
    resource,
    context: conditionContext(session(call.stack, call.roleId), organizationId, {
      'aws:RequestedRegion': call.region,
      'aws:ResourceAccount': call.account,
      'aws:ResourceOrgID': organizationId,
      ...call.context,
    }),
  });
}

/** The resources one call is checked on, per resource type of its action. */
function resourcesOf(call: RoleCall) {
  return requestResources(call.action, call);
}

/** Why `call` is refused on any resource it acts on, with `policies` (its role's by default). */
async function refusals(call: RoleCall, policies?: string[]): Promise<string[]> {
  const denied: string[] = [];
  for (const { type, arns, check } of await resourcesOf(call)) {
    const decisions = arns.map((arn) => [arn, decide(call, call.action, arn, policies)] as const);
    const refused = decisions.filter(([, d]) => d !== 'Allow');
    if (check === 'every' ? refused.length > 0 : refused.length === decisions.length)
      denied.push(
        `${call.where}: ${call.action} on ${check} ${type} of ${refused.map((d) => d.join(': ')).join(', ')}`,
      );
  }
  return denied;
}

/** A role's policies with the statements `drop` picks taken out. */
function without(
  call: RoleCall,
  drop: (statement: { Effect: string; Action?: unknown }) => boolean,
): string[] {
  return rolePolicies(call.stack, call.roleId).map((text) => {
    const document = JSON.parse(text) as { Statement: { Effect: string; Action?: unknown }[] };
    return JSON.stringify({ ...document, Statement: document.Statement.filter((st) => !drop(st)) });
  });
}

const byMode = (mode: string) => calls.filter((c) => c.where.startsWith(`${mode}/`) && !c.notMade);

describe('every call a role of the product makes is allowed by its policies', () => {
  it.each(['single', 'organization'])('%s: finds the calls of playbooks, undo and functions', (mode) => {
    const mine = byMode(mode);
    console.info(`${mode}: ${mine.length} calls checked`);
    expect(mine.filter((c) => c.where.includes('StateMachine')).length).toBeGreaterThan(100);
    expect(mine.some((c) => c.where.includes('/Undo'))).toBe(true);
    for (const fn of ['AuditAppend', 'Classify', 'Approvals/Decision', 'Approvals/Request', 'Undo/PlanUndo'])
      expect(
        mine.some((c) => c.where.includes(`/${fn} (`)),
        fn,
      ).toBe(true);
  });

  it('every call listed as held but never made is still in the code', () => {
    const held = new Set(calls.filter((c) => c.notMade).map((c) => c.notMade));
    expect([...held].sort()).toEqual(Object.values(NOT_MADE).sort());
  });

  it.each(['single', 'organization'])(
    '%s: each call is allowed on each resource it acts on',
    async (mode) => {
      const denied: string[] = [];
      for (const call of byMode(mode)) denied.push(...(await refusals(call)));
      expect(denied).toEqual([]);
    },
  );

  it('the check refuses a call whose grant is missing, and one on a protected principal without its Deny', async () => {
    const deactivate = calls.find(
      (c) => c.where.endsWith('/Deactivate access key') && c.action === 'iam:UpdateAccessKey',
    );
    if (!deactivate) throw new Error('no Deactivate access key task');
    expect(await refusals(deactivate)).toEqual([]);
    const grants = (st: { Effect: string; Action?: unknown }) =>
      st.Effect === 'Allow' && JSON.stringify(st.Action).toLowerCase().includes('iam:updateaccesskey');
    expect(await refusals(deactivate, without(deactivate, grants))).toEqual([
      expect.stringMatching(
        /iam:UpdateAccessKey on every user of arn:aws:iam::\d{12}:user\/alice: ImplicitDeny$/,
      ),
    ]);
    const breakGlass = `arn:aws:iam::${deactivate.account}:user/${BREAK_GLASS}`;
    expect(decide(deactivate, 'iam:UpdateAccessKey', breakGlass)).toBe('ExplicitDeny');
    const noDeny = without(deactivate, (st) => st.Effect === 'Deny');
    expect(decide(deactivate, 'iam:UpdateAccessKey', breakGlass, noDeny)).toBe('Allow');
  });

  it('organization: the playbook role may assume the member role, which trusts it', () => {
    const member = calls.filter((c) => c.assumedBy);
    expect(member.length).toBeGreaterThan(50);
    const problems: string[] = [];
    for (const call of member) {
      const by = call.assumedBy as { stack: DeployedStack; roleId: string };
      const target = call.stack.physical.get(call.roleId)?.arn as string;
      const assumer = { ...call, stack: by.stack, roleId: by.roleId, account: call.account, context: {} };
      const identity = decide(assumer, 'sts:AssumeRole', target);
      const trust = evaluatePolicies(
        [JSON.stringify(call.stack.template.Resources[call.roleId]?.Properties?.AssumeRolePolicyDocument)],
        {
          action: 'sts:AssumeRole',
          principal: session(by.stack, by.roleId),
          context: conditionContext(session(by.stack, by.roleId), ORG),
        },
      );
      if (identity !== 'Allow' || trust !== 'Allow')
        problems.push(`${call.where}: assume ${target}: identity ${identity}, trust ${trust}`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('organization: the playbook roles cannot make the member-side calls on the security account themselves', async () => {
    const member = calls.filter((c) => c.assumedBy);
    const allowed: string[] = [];
    for (const call of member) {
      const by = call.assumedBy as { stack: DeployedStack; roleId: string };
      // The same request on the security account's resources (the product's own aside).
      const account = by.stack.accountId;
      const named = call.named.map((arn) => arn.replace(`:${call.account}:`, `:${account}:`));
      const direct = { ...call, stack: by.stack, roleId: by.roleId, account, named, owned: [] };
      for (const { arns } of await resourcesOf(direct))
        for (const arn of arns)
          if (decide(direct, call.action, arn) === 'Allow')
            allowed.push(`${call.where}: ${call.action} on ${arn}`);
    }
    expect(member.length).toBeGreaterThan(50);
    expect([...new Set(allowed)]).toEqual([]);
  });

  it.each(['single', 'organization'])(
    '%s: no call on an IAM user or role reaches a protected principal or the product’s own roles',
    async (mode) => {
      const allowed: string[] = [];
      let checked = 0;
      for (const call of byMode(mode)) {
        for (const resource of await resourcesOf(call)) {
          if (resource.type !== 'user' && resource.type !== 'role') continue;
          const iam = `arn:aws:iam::${call.account}:`;
          const own = [...call.stack.physical.values()]
            .filter((r) => r.type === 'AWS::IAM::Role')
            .map((r) => r.arn);
          const protectedArns =
            resource.type === 'user'
              ? [`${iam}user/${BREAK_GLASS}`, `${iam}user/admins/${BREAK_GLASS}`]
              : own;
          for (const arn of protectedArns) {
            checked++;
            const decision = decide(call, call.action, arn);
            if (decision !== 'ExplicitDeny')
              allowed.push(`${call.where}: ${call.action} on ${arn}: ${decision}`);
          }
        }
      }
      expect(checked).toBeGreaterThan(10);
      expect(allowed).toEqual([]);
    },
  );
});
