import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { UNDO_ACTION_TYPES } from '#shared/undo/actions.ts';
import { stoppedStateName } from '#statemachines/fragments/needs-human.ts';
import { playbookNames } from '#statemachines/registry.ts';
import {
  type AslState,
  definitionOf,
  type IamStatement,
  iamStatementsOf,
  resourceText,
  statementActions,
  synthesizedTemplate,
} from './helpers.ts';

let template: Template;
let states: Record<
  string,
  AslState & { ItemProcessor?: { StartAt: string; States: Record<string, AslState> } }
>;
beforeAll(() => {
  template = synthesizedTemplate();
  states = definitionOf(template, 'UndoStateMachine').States as typeof states;
}, 120_000);

const statementsOf = (logicalIdPrefix: string): IamStatement[] => iamStatementsOf(template, logicalIdPrefix);
const actionsOf = (s: IamStatement) => statementActions(s).map((a) => a.toLowerCase());
/** Execution logging and X-Ray tracing, which every playbook has; AWS documents Resource "*" for them. */
const observability = (s: IamStatement) =>
  actionsOf(s).every((a) => a.startsWith('logs:') || a.startsWith('xray:'));
/** The statements of the undo state machine's role, observability aside. */
const undoRoleStatements = () => statementsOf('UndoStateMachineRole').filter((s) => !observability(s));
/** What the undo role is granted: its Allow statements (its Deny is checked on its own below). */
const undoRoleGrants = () => undoRoleStatements().filter((s) => s.Effect === 'Allow');

/**
 * The reverse calls, as IAM names them (Put/DeletePublicAccessBlock are both s3:PutBucketPublicAccessBlock),
 * each with the resource type its grant must be scoped to. This test's own expectation, from the IAM
 * service authorization reference: taken from the undo's REVERSE_CALLS it would compare the role with
 * itself. Keyed by call, not by playbook: only a new undo action type adds a line.
 */
const REVERSE_ACTIONS: Record<string, string> = {
  'iam:updateaccesskey': 'user/*',
  'iam:deleteuserpolicy': 'user/*',
  'iam:untaguser': 'user/*',
  'iam:deleterolepolicy': 'role/*',
  'ec2:associateiaminstanceprofile': 'instance/*',
  'iam:passrole': 'role/*',
  'ec2:modifynetworkinterfaceattribute': 'network-interface/*',
  'elasticloadbalancing:registertargets': 'targetgroup/*/*',
  'autoscaling:attachinstances': 'autoScalingGroupName/*',
  'ec2:authorizesecuritygroupingress': 'security-group/*',
  'ec2:authorizesecuritygroupegress': 'security-group/*',
  'ec2:modifyinstancemetadataoptions': 'instance/*',
  'ec2:modifysubnetattribute': 'subnet/*',
  'ec2:deleteflowlogs': 'vpc-flow-log/*',
  's3:putbucketpublicaccessblock': ':s3:::*',
  'ec2:modifysnapshotattribute': '::snapshot/*',
  'ec2:modifyimageattribute': '::image/*',
  'rds:modifydbsnapshotattribute': ':snapshot:*',
  'rds:modifydbclustersnapshotattribute': ':cluster-snapshot:*',
  'kms:disablekeyrotation': ':key/*',
  'lambda:putfunctionconcurrency': ':function:*',
  'lambda:deletefunctionconcurrency': ':function:*',
  'lambda:updatealias': ':function:*',
  'lambda:addpermission': ':function:*',
  'rds:modifydbinstance': ':db:*',
  'rds:modifydbcluster': ':cluster:*',
  // A bucket-policy statement a playbook added (by its Sid): the policy is read again and put
  // without it, or deleted.
  's3:getbucketpolicy': ':s3:::*',
  's3:putbucketpolicy': ':s3:::*',
  's3:deletebucketpolicy': ':s3:::*',
  'guardduty:updateipset': ':detector/*/ipset/*',
  'dynamodb:updatetable': ':table/*',
  // SQS queue and SNS topic ARNs end in the name, with no resource type.
  'sqs:setqueueattributes': ':*',
  'sns:settopicattributes': ':*',
};
/**
 * Reverse calls on a setting of the account and Region, or of the account (its IAM password
 * policy), which IAM can only grant on "*": the action supports no resource-level permissions
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
 */
const ACCOUNT_SETTING_ACTIONS = [
  'ec2:disableebsencryptionbydefault',
  'iam:deleteaccountpasswordpolicy',
  'iam:updateaccountpasswordpolicy',
  // Account-level Block Public Access: S3 Control's Put and Delete both authorize as this action,
  // which takes no resource type (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
  's3:putaccountpublicaccessblock',
];
/** What every state machine of the product calls: the planner, approval and audit-append functions, the topic. */
const OWN_ACTIONS = ['lambda:invokefunction', 'sns:publish', 'kms:generatedatakey', 'kms:decrypt'];
/** Stopping a reversed execution's follow-up and cancelling its pending approval request. */
const FOLLOW_UP_ACTIONS = ['states:stopexecution', 'dynamodb:updateitem', 'dynamodb:getitem'];

describe('undo state machine role', () => {
  it('may make exactly the reverse calls, stop follow-ups, and otherwise only audit, notify and invoke its functions', () => {
    const actions = new Set(undoRoleGrants().flatMap(actionsOf));

    expect([...actions].sort()).toEqual(
      [
        ...Object.keys(REVERSE_ACTIONS),
        ...ACCOUNT_SETTING_ACTIONS,
        ...OWN_ACTIONS,
        ...FOLLOW_UP_ACTIONS,
      ].sort(),
    );
  });

  it('stops only playbook executions and cancels only approval requests', () => {
    const statements = undoRoleGrants();
    const stop = statements.filter((s) => actionsOf(s).includes('states:stopexecution'));
    const approvals = statements.filter((s) => actionsOf(s).includes('dynamodb:updateitem'));

    expect(stop.length).toBeGreaterThan(0);
    for (const s of stop) expect(resourceText(s)).toMatch(/:execution:.*Playbook[a-z]+StateMachine/);
    expect(approvals.map(resourceText)).toEqual([expect.stringContaining('ApprovalsTable')]);
  });

  it('scopes every reverse call to its resource type in this account, never "*" but for account settings', () => {
    const statements = undoRoleStatements();
    for (const [action, type] of Object.entries(REVERSE_ACTIONS)) {
      const granting = statements.filter((s) => actionsOf(s).includes(action));
      expect(granting.length, action).toBeGreaterThan(0);
      for (const s of granting) {
        expect(resourceText(s), action).toContain(type);
        expect(s.Resource, action).not.toBe('*');
      }
    }
    const onAnything = statements.filter((s) => s.Effect === 'Allow' && s.Resource === '*');
    expect(onAnything.flatMap(actionsOf).sort()).toEqual(ACCOUNT_SETTING_ACTIONS);
  });

  it('is denied every IAM action on the protected principals and the stack’s own roles, and denied nothing else', () => {
    const denies = undoRoleStatements().filter((s) => s.Effect === 'Deny');

    expect(denies.map(actionsOf)).toEqual([['iam:*']]);
    expect(resourceText(denies[0] as IamStatement)).toContain(':user/*/break-glass*');
    expect(resourceText(denies[0] as IamStatement)).toContain('UndoStateMachineRole');
  });

  it('passes roles only to EC2 (AssociateIamInstanceProfile)', () => {
    const passRole = undoRoleStatements().find((s) => actionsOf(s).includes('iam:passrole'));

    expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
  });
});

describe('undo planner role', () => {
  it('reads only the audit table and its resource index, and the executions of the six playbooks', () => {
    const statements = statementsOf('UndoPlanUndoRole').filter(
      (s) =>
        !actionsOf(s).some((a) => a.startsWith('logs:') || a.startsWith('xray:') || a.startsWith('sqs:')),
    );

    const query = statements.filter((s) => actionsOf(s).includes('dynamodb:query'));
    const describe = statements.filter((s) => actionsOf(s).includes('states:describeexecution'));
    expect(query.map((s) => s.Resource)).toEqual([
      [
        { 'Fn::GetAtt': ['AuditTrailTable5A8BB42B', 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['AuditTrailTable5A8BB42B', 'Arn'] }, '/index/byResource']] },
      ],
    ]);
    expect(describe).toHaveLength(playbookNames.length);
    for (const s of describe)
      expect(resourceText(s)).toMatch(/:execution:.*Playbook[a-z0-9]+StateMachine[0-9A-F]{8}.*:\*/);
    expect(statements).toHaveLength(query.length + describe.length);
  });
});

describe('undo state machine', () => {
  it('is not a policy-routed playbook', () => {
    expect(playbookNames).not.toContain('undo');
  });

  it('is an output, and the approval decision function may answer its gate', () => {
    expect(Object.keys(template.findOutputs('UndoStateMachineArn'))).toEqual(['UndoStateMachineArn']);
    const answer = statementsOf('ApprovalsAnswerTaskTokens').find((s) =>
      actionsOf(s).includes('states:sendtasksuccess'),
    );
    // Task tokens are answered on "*" (no resource type exists), so the undo gate is covered.
    expect(resourceText(answer as IamStatement)).toBe('"*"');
  });

  it('runs the actions one at a time, a task for every action type, each retried on throttling', () => {
    const map = states['Undo actions'];
    const inner = map?.ItemProcessor?.States ?? {};
    const choice = Object.values(inner).find((s) => s.Type === 'Choice');

    expect((map as { MaxConcurrency?: number }).MaxConcurrency).toBe(1);
    expect(choice?.Choices?.map((c) => c.StringEquals).sort()).toEqual([...UNDO_ACTION_TYPES].sort());
    // A call with optional or alternative fields is one task per combination (`Undo <type> <fields>`).
    const tasksOf = (type: string) =>
      Object.keys(inner).filter(
        (n) => inner[n]?.Type === 'Task' && (n === `Undo ${type}` || n.startsWith(`Undo ${type} `)),
      );
    for (const type of UNDO_ACTION_TYPES) {
      expect(tasksOf(type).length, type).toBeGreaterThan(0);
      for (const name of tasksOf(type)) {
        expect(inner[name]?.Retry?.[0]?.ErrorEquals.length, name).toBeGreaterThan(0);
        expect(inner[name]?.Next, name).toBe(`Audit ${type}`);
      }
    }
    // A failed call ends its iteration naming the step; the Map's catch hands that on to needs-human.
    for (const type of UNDO_ACTION_TYPES)
      for (const name of tasksOf(type))
        expect(inner[name]?.Catch?.at(-1)?.Next, name).toBe(stoppedStateName(name));
    expect(map?.Catch?.[0]?.Next).toBe('Undo actions: stopped in a step?');
    expect((states['Undo actions: stopped in a step?'] as { Default?: string }).Default).toBe(
      'Audit needs human',
    );
  });
});
