import { OTHER_REGION } from '../../e2e/org/organization.ts';
import { callsOf } from './function-calls.ts';
import { iamAction, type RequestScope, staticStrings } from './request-arns.ts';
import { integrationTasks } from './sdk-tasks.ts';
import { type DeployedStack, referencedId } from './user-synthesis.ts';

/** One call a role of the product makes, as IAM sees it. */
export interface RoleCall {
  /** `single/AutoRemediation/<state machine>/<state>` or `…/<function> (file)`. */
  where: string;
  /** The stack of the role that makes the call, and the role's logical id. */
  stack: DeployedStack;
  roleId: string;
  /** The IAM action (`iam:UpdateAccessKey`). */
  action: string;
  /** The account and region the call acts in. */
  account: string;
  region: string;
  /** The ARNs the request names; the product's own it may act on otherwise (see {@link RequestScope}). */
  named: string[];
  owned: string[][];
  /** Made as the member role on a finding's resource: see `RequestScope.foreign`. */
  foreign?: boolean;
  /** Only this resource type of the action (an implied `ec2:CreateTags` on what is created). */
  onlyType?: string;
  /** Condition keys the request carries besides the global ones (`ec2:CreateAction`). */
  context: Record<string, string>;
  /** A call the code holds but never makes (see {@link NOT_MADE}): not checked. */
  notMade?: string;
  /** For a call made with task `Credentials`: the security-account role that assumes the caller. */
  assumedBy?: { stack: DeployedStack; roleId: string };
}

/**
 * Calls a function's bundle holds but the function never makes: a method of a class it uses for
 * another (tree-shaking keeps whole classes). Each is checked to be in the bundle still.
 */
export const NOT_MADE: Record<string, string> = {
  'AuditAppend kms:VerifyMac':
    'KmsRecordMac.verify serves `remediate audit verify` (the CLI, with its own credentials); the function only signs',
  // In an organization it is made (see ACTS_AS_MEMBER), on the member role only.
  'Playbook-quarantine-instance/ReadQuarantineState sts:AssumeRole':
    'in a single account the read names no member role and reads as its own role',
};

/**
 * The handler of each function of the templates, by the construct path that ends the function's
 * `aws:cdk:path`. A function missing here fails the test: its calls would go unchecked.
 */
export const FUNCTION_ENTRIES: Record<string, string> = {
  AuditAppend: 'functions/audit-append/handler.ts',
  Classify: 'functions/classify/handler.ts',
  'Approvals/Decision': 'functions/approval-decision/handler.ts',
  'Approvals/Request': 'functions/approval-request/handler.ts',
  PlanIngressRevocation: 'functions/plan-ingress-revocation/handler.ts',
  // deny-threat-object-reads' and undo's: one handler.
  EditBucketPolicy: 'functions/edit-bucket-policy/handler.ts',
  'Playbook-revoke-outside-sharing/PlanShareRevocation': 'functions/plan-share-revocation/handler.ts',
  'Undo/PlanUndo': 'functions/plan-undo/handler.ts',
  'Playbook-restore-trail-settings/PlanTrailRestore': 'functions/plan-trail-restore/handler.ts',
  'Playbook-restore-trail-settings/ChooseAccountTrail': 'functions/choose-account-trail/handler.ts',
  'Playbook-require-bucket-ssl/PlanSslOnlyPolicy': 'functions/plan-ssl-only-policy/handler.ts',
  'Playbook-remove-public-lambda-access/PlanPublicFunctionAccess':
    'functions/plan-public-function-access/handler.ts',
  'Playbook-recreate-flow-logs/PlanFlowLogRecreation': 'functions/plan-flow-log-recreation/handler.ts',
  'Playbook-quarantine-instance/ReadQuarantineState': 'functions/read-quarantine-state/handler.ts',
};

/**
 * Functions that, in an organization, assume the member role of the finding's account and make
 * their other calls as it (`PlaybookFunctionProps.memberAccess`): those calls are checked against
 * the member role, and its trust, as a task's with `Credentials` is.
 */
export const ACTS_AS_MEMBER = new Set(['Playbook-quarantine-instance/ReadQuarantineState']);

/** The ARNs of the stack's own resources that `values` name, by ARN, by name or in a JSON text. */
function ownArns(stack: DeployedStack, values: string[]): string[] {
  const arns = new Set<string>();
  for (const value of values) {
    if (value.startsWith('arn:')) arns.add(value);
    for (const r of stack.physical.values()) if (r.ref === value || r.name === value) arns.add(r.arn);
    if (/^[[{]/.test(value)) {
      try {
        for (const inner of staticStrings(JSON.parse(value))) if (inner.startsWith('arn:')) arns.add(inner);
      } catch {
        // Not JSON after all: a plain value, already considered above.
      }
    }
  }
  return [...arns];
}

/** The ARNs of everything the stack creates, and an execution of each of its state machines. */
function stackArns(stack: DeployedStack): string[] {
  const arns = [...stack.physical.values()].map((r) => r.arn);
  const executions = arns
    .filter((a) => a.includes(':stateMachine:'))
    .map((a) => `${a.replace(':stateMachine:', ':execution:')}:finding-1`);
  return [...arns, ...executions];
}

/** The member role (`RemediationExecutionRole`) of the organization's member stack. */
function memberRole(stacks: DeployedStack[]): { stack: DeployedStack; roleId: string } {
  const stack = stacks.find((s) => s.label === 'organization/AutoRemediationMember');
  const roleId = Object.keys(stack?.raw.Resources ?? {}).find((id) =>
    id.startsWith('RemediationExecutionRole'),
  );
  if (!stack || !roleId) throw new Error('no member execution role in the organization assembly');
  return { stack, roleId };
}

/** Every call of every state machine task, with the calls AWS implies. */
async function stateMachineCalls(stack: DeployedStack, all: DeployedStack[]): Promise<RoleCall[]> {
  const calls: RoleCall[] = [];
  for (const [id, r] of Object.entries(stack.template.Resources)) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const roleId = referencedId(stack.raw.Resources[id]?.Properties?.RoleArn) as string;
    const definition = JSON.parse(r.Properties?.DefinitionString as string);
    for (const task of integrationTasks([{ label: `${stack.label}/${id}`, definition }])) {
      const parameters = task.parameters as Record<string, unknown>;
      const action = await iamAction(task.service, task.operation);
      const request = { where: task.where, action, named: ownArns(stack, staticStrings(parameters)) };
      // A task's `Credentials` (a field of the state): the call is made as the member role, which
      // serves the security stacks of every region (IAM is global): tried in two of them.
      const callers = task.state.Credentials
        ? [stack.region, OTHER_REGION].map((region) => ({
            ...memberRole(all),
            account: memberRole(all).stack.accountId,
            region,
            assumedBy: { stack, roleId },
          }))
        : [{ stack, roleId, account: stack.accountId, region: stack.region }];
      for (const caller of callers) {
        const call = {
          ...request,
          ...caller,
          owned: [stackArns(stack)],
          foreign: task.state.Credentials !== undefined,
          context: {},
        };
        calls.push(call, ...impliedCalls(call, task.operation, parameters));
      }
    }
  }
  return calls;
}

/** Operations that create volumes from snapshots or images, which a customer managed key may encrypt. */
const EBS_KEY_USERS = ['RunInstances', 'CreateReplaceRootVolumeTask'];
const EBS_KEY_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/** The calls AWS authorizes along with a task's own: tagging on create, passing a role, using a key. */
function impliedCalls(call: RoleCall, operation: string, parameters: Record<string, unknown>): RoleCall[] {
  const implied: RoleCall[] = [];
  // Tags given at creation need ec2:CreateTags on what is created, with ec2:CreateAction
  // (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
  for (const spec of (parameters.TagSpecifications as { ResourceType?: string }[] | undefined) ?? [])
    if (spec.ResourceType)
      implied.push({
        ...call,
        action: 'ec2:CreateTags',
        onlyType: spec.ResourceType,
        context: { 'ec2:CreateAction': operation },
      });
  // An instance profile given to EC2 passes its role
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html).
  if (Object.keys(parameters).some((k) => k.startsWith('IamInstanceProfile')))
    implied.push({
      ...call,
      action: 'iam:PassRole',
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    });
  // Volumes restored or launched from a snapshot or image encrypted with a customer managed key use
  // the caller's permissions on that key, through EC2
  // (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html).
  if (EBS_KEY_USERS.includes(operation)) {
    const key = `arn:aws:kms:${call.region}:${call.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const viaEc2 = { 'kms:ViaService': `ec2.${call.region}.amazonaws.com` };
    for (const action of EBS_KEY_ACTIONS)
      implied.push({
        ...call,
        action,
        named: [key],
        onlyType: 'key',
        context: action === 'kms:CreateGrant' ? { ...viaEc2, 'kms:GrantIsForAWSResource': 'true' } : viaEc2,
      });
  }
  return implied;
}

/** Every call of every function, from its code, on the resources its environment names. */
async function functionCalls(stack: DeployedStack, all: DeployedStack[]): Promise<RoleCall[]> {
  const calls: RoleCall[] = [];
  for (const [id, r] of Object.entries(stack.raw.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const cdkPath = String(r.Metadata?.['aws:cdk:path'] ?? '');
    const name = Object.keys(FUNCTION_ENTRIES).find((n) => cdkPath.endsWith(`/${n}/Resource`));
    if (!name)
      throw new Error(`${stack.label}/${id} (${cdkPath}): no handler known, its calls would go unchecked`);
    const environment = (stack.template.Resources[id]?.Properties?.Environment?.Variables ?? {}) as Record<
      string,
      string
    >;
    const fromEnvironment = ownArns(stack, Object.values(environment));
    for (const call of callsOf(FUNCTION_ENTRIES[name] as string)) {
      // The environment variable the code reads the target from (`deps.counterTable`: COUNTER_TABLE).
      const variable = call.target?.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
      const target = variable === undefined ? undefined : environment[variable];
      const action = await iamAction(call.pkg.replace(/^client-/, ''), call.operation);
      const roleId = referencedId(r.Properties?.Role) as string;
      const own = {
        notMade: NOT_MADE[`${name} ${action}`],
        where: `${stack.label}/${name} (${call.file})`,
        stack,
        roleId,
        action,
        account: stack.accountId,
        region: stack.region,
        named: target === undefined ? [] : ownArns(stack, [target]),
        owned: [fromEnvironment, stackArns(stack)],
        context: {},
      };
      const asMember = ACTS_AS_MEMBER.has(name) && stack.label.startsWith('organization/');
      if (!asMember) {
        calls.push(own);
        continue;
      }
      const member = memberRole(all);
      const memberArn = member.stack.physical.get(member.roleId)?.arn as string;
      // The role it assumes, named; every other call is made as that role, in the member account.
      if (action === 'sts:AssumeRole') calls.push({ ...own, notMade: undefined, named: [memberArn] });
      else
        calls.push({
          ...own,
          ...member,
          account: member.stack.accountId,
          named: [],
          owned: [stackArns(stack)],
          foreign: true,
          assumedBy: { stack, roleId },
        });
    }
  }
  return calls;
}

/** Every call the roles of the stacks make: state machine tasks and function code. */
export async function roleCalls(stacks: DeployedStack[]): Promise<RoleCall[]> {
  const calls: RoleCall[] = [];
  for (const stack of stacks.filter((s) => !s.label.includes('Member'))) {
    calls.push(...(await stateMachineCalls(stack, stacks)));
    calls.push(...(await functionCalls(stack, stacks)));
  }
  return calls;
}
