import {
  ArnFormat,
  Stack,
  aws_stepfunctions as sfn,
  type aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { auditStep } from '../fragments/audit-step.ts';
import { type AwsCallProps, awsCall } from '../fragments/aws-call.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import type { PlaybookContext } from '../playbook.ts';

/** The playbook's name, as the policy names it. */
export const QUARANTINE_INSTANCE = 'quarantine-instance';
/** JSONPath of the instance the finding is about. */
export const INSTANCE_ID = '$.finding.resource.instanceId';

/** What to record in an audit step: JSONPaths of the state before and after, and detail. */
export interface AuditPaths {
  readonly beforePath?: string;
  readonly afterPath?: string;
  readonly detailsPath?: string;
}

/** The resource ARN patterns the playbook's calls are scoped to: its account and region only. */
export interface QuarantineArns {
  readonly instances: string;
  readonly volumes: string;
  readonly securityGroups: string;
  readonly networkInterfaces: string;
  readonly subnets: string;
  readonly autoScalingGroups: string;
  readonly targetGroups: string;
  readonly roles: string;
  readonly instanceProfiles: string;
}

/** What every group of steps of the playbook is built with. */
export interface QuarantineSteps {
  readonly scope: Construct;
  readonly arns: QuarantineArns;
  /** The needs-human path: audit the error at `$.error`, notify, fail. */
  readonly human: sfn.IChainable;
  /** An audit record of a step that succeeded; its own failure goes to needs-human. */
  audit(id: string, action: string, paths?: AuditPaths): tasks.LambdaInvoke;
  /** An SDK call on the main path: retried on throttling, any other failure to needs-human. */
  call(id: string, props: AwsCallProps): tasks.CallAwsService;
}

/** The steps' shared helpers for one state machine. */
export function quarantineSteps(ctx: PlaybookContext, human: sfn.IChainable): QuarantineSteps {
  const { scope } = ctx;
  const stack = Stack.of(scope);
  const arn = (service: string, resource: string, resourceName = '*', region?: string) =>
    stack.formatArn({ service, resource, resourceName, region });
  return {
    scope,
    human,
    arns: {
      instances: arn('ec2', 'instance'),
      volumes: arn('ec2', 'volume'),
      securityGroups: arn('ec2', 'security-group'),
      networkInterfaces: arn('ec2', 'network-interface'),
      subnets: arn('ec2', 'subnet'),
      // autoScalingGroup:<uuid>:autoScalingGroupName/<name>: the name is known, the uuid is not.
      autoScalingGroups: stack.formatArn({
        service: 'autoscaling',
        resource: 'autoScalingGroup',
        resourceName: '*:autoScalingGroupName/*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      targetGroups: arn('elasticloadbalancing', 'targetgroup', '*/*'),
      roles: arn('iam', 'role', '*', ''),
      instanceProfiles: arn('iam', 'instance-profile', '*', ''),
    },
    audit: (id, action, paths = {}) =>
      catchToHuman(
        auditStep(scope, id, {
          appender: ctx.auditAppender,
          playbook: QUARANTINE_INSTANCE,
          action,
          outcome: 'succeeded',
          ...paths,
        }),
        human,
      ),
    call: (id, props) => catchToHuman(awsCall(scope, id, props), human),
  };
}

/**
 * True when nothing is at `path`: `IsPresent: true` negated. Written with `Not` rather than
 * `IsPresent: false`, which aws-local-stepfunctions 3.0.0 evaluates as always false.
 */
export function isAbsent(path: string): sfn.Condition {
  return sfn.Condition.not(sfn.Condition.isPresent(path));
}
