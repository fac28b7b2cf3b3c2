import {
  ArnFormat,
  Duration,
  aws_iam as iam,
  aws_logs as logs,
  RemovalPolicy,
  Stack,
  aws_stepfunctions as sfn,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CONTAINMENT_ACTION_CONTEXT } from '#statemachines/fragments/audit-step.ts';
import { MEMBER_ROLE_CONTEXT } from '#statemachines/fragments/member-credentials.ts';
import type { PlaybookContext, StateMachineDefinition } from '#statemachines/playbook.ts';
import { grantPublishTo } from '../grants.ts';
import { memberRoleArn, playbookRoleName } from './member-access.ts';
import { RemediationFunction } from './remediation-function.ts';

/** Props of {@link PlaybookStateMachine}. */
export interface PlaybookStateMachineProps extends Omit<PlaybookContext, 'scope' | 'createFunction'> {
  readonly playbook: StateMachineDefinition;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * JSONPath of the role each call on the finding's resources is made as (task `Credentials`),
   * when the stack protects an organization. @default none: calls use the state machine's role
   */
  readonly memberRoleArnPath?: string;
  /** A fixed name for the state machine's role, so member accounts can trust it. @default generated */
  readonly roleName?: string;
  /** A fixed name for the state machine, so other regions can start it by ARN. @default generated */
  readonly stateMachineName?: string;
  /**
   * In an organization: the name of the member roles a playbook function with `memberAccess`
   * assumes (one in each member account), and the organization whose accounts alone may own them. @default none: a single
   * account, where such a function makes its calls as its own role
   */
  readonly memberRoles?: { readonly roleName: string; readonly organizationId: string };
}

/**
 * One playbook deployed as a Standard state machine (exactly-once steps, a year of history),
 * with every execution event logged (without execution data) and X-Ray tracing.
 */
export class PlaybookStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: PlaybookStateMachineProps) {
    super(scope, id);
    // Read by the playbook's SDK calls (fragments/member-credentials.ts); set before any child exists.
    if (props.memberRoleArnPath) this.node.setContext(MEMBER_ROLE_CONTEXT, props.memberRoleArnPath);
    // Read by the audit steps (fragments/audit-step.ts): which record marks containment, from the definition.
    if (props.playbook.containmentAction)
      this.node.setContext(CONTAINMENT_ACTION_CONTEXT, props.playbook.containmentAction);
    const role = props.roleName
      ? new iam.Role(this, 'Role', {
          roleName: props.roleName,
          // Only Step Functions acting for a state machine of this account and region, the
          // confused-deputy guard CDK puts on the roles it creates itself
          // (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html).
          assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
            conditions: {
              ArnLike: {
                'aws:SourceArn': Stack.of(this).formatArn({
                  service: 'states',
                  resource: 'stateMachine',
                  resourceName: '*',
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              },
              StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
            },
          }),
          description: `Runs the ${props.playbook.name} playbook`,
        })
      : undefined;
    // Under /aws/vendedlogs/states/, as AWS advises for Step Functions logs: the resource policy
    // CloudWatch Logs needs for vended log delivery stays under its size limit
    // (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName ?? `${Stack.of(this).stackName}-${props.playbook.name}`}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const definition = props.playbook.build({
      scope: this,
      auditTable: props.auditTable,
      auditAppender: props.auditAppender,
      topic: props.topic,
      approvalRequest: props.approvalRequest,
      followUps: props.followUps,
      claims: props.claims,
      createFunction: (fnId, fn) => {
        const access = fn.memberAccess;
        const created = new RemediationFunction(this, fnId, {
          entry: fn.entry,
          description: fn.description,
          timeout: Duration.seconds(fn.timeoutSeconds ?? 10),
          memorySize: fn.memorySize ?? 256,
          logRetention: props.logRetention,
          // Named as the playbook roles are, so the member roles' trust admits it.
          roleName:
            access && props.memberRoles ? playbookRoleName(access.name, Stack.of(this).region) : undefined,
        });
        if (access) grantMemberAccess(created, access.calls, props.memberRoles);
        return created;
      },
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: props.playbook.description,
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      role,
      timeout: Duration.days(7),
      tracingEnabled: true,
      // Every event, but no execution data: the data holds the approval gate's raw task token (the
      // wait's parameters), which would let anyone who can read the logs answer the wait. Inputs,
      // outputs and results stay in the execution history, behind states:GetExecutionHistory.
      // https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // The notify steps' grant names the topic only; publishing to an encrypted topic also needs its key.
    grantPublishTo(props.topic, this.stateMachine);
  }
}

/**
 * What a playbook function that acts on the finding's resources may do. In a single account: its
 * calls, on its own role. In an organization: only sts:AssumeRole, on member roles of accounts in
 * the organization (aws:ResourceOrgID is the organization of the account that owns the role), the
 * calls being the member role's
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceorgid).
 */
function grantMemberAccess(
  fn: RemediationFunction,
  calls: readonly iam.PolicyStatement[],
  memberRoles: PlaybookStateMachineProps['memberRoles'],
): void {
  if (!memberRoles) {
    for (const call of calls) fn.addToRolePolicy(call);
    return;
  }
  const memberRole = memberRoleArn(fn, '*', memberRoles.roleName);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [memberRole] }));
  // Explicitly, as the playbooks' own roles: no other role, and none outside the organization.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['sts:AssumeRole'],
      notResources: [memberRole],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['sts:AssumeRole'],
      resources: ['*'],
      conditions: { StringNotEquals: { 'aws:ResourceOrgID': memberRoles.organizationId } },
    }),
  );
  if (fn.role)
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoles.roleName}]`,
      reason:
        "The member role of the finding's account, known only at run time: that one role name, in accounts of the organization only (aws:ResourceOrgID).",
    });
}
