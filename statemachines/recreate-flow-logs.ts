import path from 'node:path';
import { aws_iam as iam, Stack, aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { LOOKUP_PAGE_SIZE } from '#shared/flow-logs/recreate-plan.ts';
import { facts } from '#shared/playbooks/recreate-flow-logs.ts';
import { awsCall } from './fragments/aws-call.ts';
import { withTarget } from './fragments/member-credentials.ts';
import { catchToHuman } from './fragments/needs-human.ts';
import { notifyStep } from './fragments/notify.ts';
import { plannerFunction } from './fragments/planner.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const PLANNER_ENTRY = path.resolve(import.meta.dirname, '../functions/plan-flow-log-recreation/handler.ts');
const DELETED = '$.finding.change.flowLogIds';
/** Each CreateFlowLogs task passes exactly these members of the plan's request (all present). */
const COMMON = [
  'ResourceIds',
  'ResourceType',
  'TrafficType',
  'LogDestinationType',
  'LogFormat',
  'MaxAggregationInterval',
  'ClientToken',
];
const BRANCHES = {
  'cloud-watch-logs-group': [...COMMON, 'LogGroupName', 'DeliverLogsPermissionArn'],
  'cloud-watch-logs-arn': [...COMMON, 'LogDestination', 'DeliverLogsPermissionArn'],
  s3: [...COMMON, 'LogDestination', 'DestinationOptions'],
  'kinesis-data-firehose': [...COMMON, 'LogDestination'],
} as const;

/**
 * Bring back the VPC flow logs a DeleteFlowLogs call deleted. The call names only flow log ids
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteFlowLogs.html); the deleted
 * configuration is in the CloudTrail record of the CreateFlowLogs call that made each one, which
 * LookupEvents finds among the Region's management events of the last 90 days
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). The pages
 * are read in the member account, up to a limit; the planner function (shared/flow-logs/) matches
 * each deleted id to its call and plans the request. Approved, CreateFlowLogs makes exactly that
 * again (one task per destination kind: each passes a fixed set of members), DescribeFlowLogs
 * reads them back and the planner compares.
 */
export const recreateFlowLogs: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Find how the flow logs were made',
        does: 'Looks up the CreateFlowLogs calls of the last 90 days in the CloudTrail event history and finds the one that created each deleted flow log.',
        states: [
          'Deleted flow logs?',
          'Start lookup',
          'Look up CreateFlowLogs',
          'Match created flow logs',
          'More to look up?',
          'Look up more CreateFlowLogs',
          'Plan re-creation',
          'Configuration known?',
          'Notify configuration',
          'Unsupported resource',
          'Configuration not known',
        ],
        ifItStops:
          'Nothing was created. In the CloudTrail console open Event history, filter on Event name CreateFlowLogs, and find the call whose response names the deleted flow log: its request is the configuration to create again in the VPC console.',
      },
      {
        title: 'Create the flow logs again',
        does: 'Creates the flow logs with exactly the configuration the call gave: resources, traffic type, destination, delivery role, log format and aggregation interval.',
        states: [
          'Re-create flow logs',
          'Destination?',
          ...Object.keys(BRANCHES).map((b) => `Create flow logs (${b})`),
          'Created?',
          'Flow log not created',
        ],
        ifItStops:
          'Some flow logs may be missing: in the VPC console open the resource, Flow logs, and create the flow log with the configuration the notification lists. Find out who deleted them.',
      },
      {
        title: 'Check they log again',
        does: 'Reads the new flow logs back and confirms each matches the configuration.',
        states: [
          'Read re-created flow logs',
          'Re-created',
          'Audit flow logs re-created',
          'Check re-creation',
        ],
        ifItStops:
          'The flow logs were created but could not be confirmed. Look at Flow logs of each resource in the VPC console.',
      },
    ],
    checkAfterwards: [
      'Each resource the notification lists shows its flow log again, with the same destination, traffic type and format.',
      'The destination receives records (a new log stream in the log group, or new objects in the bucket).',
      'Whoever deleted the flow logs is known and the reason is recorded.',
    ],
    undo: "`remediate undo` deletes the flow logs this run created (the product's own calls are not acted on again). The flow logs that were deleted before the run are not part of it.",
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const stack = Stack.of(scope);
    const planner = plannerFunction(ctx, {
      id: 'PlanFlowLogRecreation',
      entry: PLANNER_ENTRY,
      description:
        'Finds the configuration of deleted flow logs in CreateFlowLogs records for recreate-flow-logs',
      human: steps.human,
    });

    // LookupEvents supports no resource-level permissions
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html).
    const lookup = (id: string, nextToken: boolean) =>
      steps.call(id, {
        service: 'cloudtrail',
        action: 'lookupEvents',
        parameters: {
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateFlowLogs' }],
          MaxResults: LOOKUP_PAGE_SIZE,
          ...(nextToken ? { 'NextToken.$': '$.lookup.nextToken' } : {}),
        },
        iamResources: ['*'],
        resultPath: '$.lookupPage',
      });
    const match = planner.invoke(
      'Match created flow logs',
      {
        step: 'match',
        deletedIds: sfn.JsonPath.listAt(DELETED),
        page: sfn.JsonPath.objectAt('$.lookupPage'),
        lookup: sfn.JsonPath.objectAt('$.lookup'),
      },
      '$.lookup',
    );
    // The page read is dropped once matched: only what was found goes on.
    const dropPage = new sfn.Pass(scope, 'Drop page', {
      result: sfn.Result.fromObject({}),
      resultPath: '$.lookupPage',
    });
    const plan = planner.invoke(
      'Plan re-creation',
      {
        step: 'plan',
        findingId: sfn.JsonPath.stringAt('$.finding.id'),
        deletedIds: sfn.JsonPath.listAt(DELETED),
        lookup: sfn.JsonPath.objectAt('$.lookup'),
      },
      '$.plan',
    );
    const more = new sfn.Choice(scope, 'More to look up?')
      .when(
        sfn.Condition.and(
          sfn.Condition.booleanEquals('$.lookup.more', true),
          sfn.Condition.isPresent('$.lookup.nextToken'),
        ),
        lookup('Look up more CreateFlowLogs', true).next(match),
      )
      .otherwise(plan);
    match.next(dropPage).next(more);

    const passRole = new iam.PolicyStatement({
      // CloudWatch Logs delivery: whoever creates the flow log passes its delivery role
      // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
      actions: ['iam:PassRole'],
      resources: [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' })],
    });
    const flowLogArns = [
      steps.arns.flowLogs,
      steps.arns.vpcs,
      steps.arns.subnets,
      steps.arns.networkInterfaces,
    ];
    const destination = new sfn.Choice(scope, 'Destination?');
    const created = new sfn.Choice(scope, 'Created?');
    for (const [branch, members] of Object.entries(BRANCHES))
      destination.when(
        sfn.Condition.stringEquals('$.flowLog.branch', branch),
        awsCall(scope, `Create flow logs (${branch})`, {
          service: 'ec2',
          action: 'createFlowLogs',
          parameters: Object.fromEntries(members.map((m) => [`${m}.$`, `$.flowLog.request.${m}`])),
          // CreateFlowLogs is authorized on the new flow log and on the resource it logs
          // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
          iamResources: flowLogArns,
          ...(branch.startsWith('cloud-watch-logs') ? { additionalIamStatements: [passRole] } : {}),
          resultPath: '$.created',
        }).next(created),
      );
    // CreateFlowLogs answers a resource it could not log (the same flow log exists, the resource is
    // gone) as an unsuccessful item, not an error.
    const notCreated = new sfn.Fail(scope, 'Flow log not created', {
      error: 'FlowLogNotCreated',
      cause:
        'CreateFlowLogs created no flow log for a resource of the plan (an unsuccessful item: the same flow log may exist already, or the resource is gone)',
    });
    const recreated = new sfn.Pass(scope, 'Re-created', {
      parameters: { 'FlowLogIds.$': '$.created.FlowLogIds', 'read.$': '$.read' },
    });
    created
      .when(
        sfn.Condition.or(
          sfn.Condition.isPresent('$.created.Unsuccessful[0]'),
          sfn.Condition.isNotPresent('$.created.FlowLogIds[0]'),
        ),
        notCreated,
      )
      .otherwise(
        awsCall(scope, 'Read re-created flow logs', {
          service: 'ec2',
          action: 'describeFlowLogs',
          parameters: { 'FlowLogIds.$': '$.created.FlowLogIds' },
          // DescribeFlowLogs supports no resource-level permissions.
          iamResources: ['*'],
          resultPath: '$.read',
        }).next(recreated),
      );
    const recreate = new sfn.Map(scope, 'Re-create flow logs', {
      itemsPath: '$.plan.flowLogs',
      itemSelector: withTarget(scope, { 'flowLog.$': '$$.Map.Item.Value' }),
      maxConcurrency: 1,
      resultPath: '$.state.after',
    }).itemProcessor(destination.otherwise(notCreated));
    recreate.addCatch(steps.human, { resultPath: '$.error' });

    const contain = recreate
      .next(
        steps.audit('Audit flow logs re-created', 'CreateFlowLogs', 'succeeded', {
          beforePath: '$.plan.before',
          afterPath: '$.state.after',
          detailsPath: '$.finding.actor',
        }),
      )
      .next(
        planner.invoke(
          'Check re-creation',
          {
            step: 'verify',
            flowLogs: sfn.JsonPath.listAt('$.plan.flowLogs'),
            recreated: sfn.JsonPath.listAt('$.state.after'),
          },
          '$.verification',
        ),
      )
      .next(
        steps.verify(
          sfn.Condition.numberEquals('$.verification.count', 0),
          { afterPath: '$.state.after', detailsPath: '$.verification' },
          'VPC flow logs re-created',
        ),
      );

    // People hear what was deleted, as its creating call configured it, in every mode.
    const notifyConfiguration = catchToHuman(
      notifyStep(scope, 'Notify configuration', {
        topic: ctx.topic,
        playbook: NAME,
        headline: 'deleted flow logs and their configuration',
        detailsPath: '$.plan.lines',
      }),
      steps.human,
    );
    const notKnown = new sfn.Pass(scope, 'Configuration not known', {
      parameters: { Error: 'FlowLogConfigurationNotFound', 'Cause.$': '$.plan.reason' },
      resultPath: '$.error',
    }).next(steps.human);
    plan.next(
      new sfn.Choice(scope, 'Configuration known?')
        .when(
          sfn.Condition.and(
            sfn.Condition.isNotPresent('$.plan.reason'),
            sfn.Condition.numberGreaterThan('$.plan.count', 0),
          ),
          notifyConfiguration.next(
            steps.byMode({
              proposedActions: [
                'Create the deleted VPC flow logs again, each exactly as the CreateFlowLogs call in the CloudTrail event history configured it:',
                sfn.JsonPath.stringAt('$.plan.description'),
                'Read them back with DescribeFlowLogs and record before and after',
              ],
              ifDenied: 'The playbook ends: the flow logs stay deleted.',
              contain,
            }),
          ),
        )
        .otherwise(notKnown),
    );

    Validations.of(scope).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudtrail:LookupEvents and ec2:DescribeFlowLogs support no resource-level permissions; both only read.',
      },
      {
        id: resourceWildcardFinding(scope, 'ec2:{region}:{account}:vpc-flow-log/*'),
        reason:
          'A flow log id is issued by CreateFlowLogs itself: the new flow log cannot be named in advance.',
      },
      {
        id: resourceWildcardFinding(scope, 'ec2:{region}:{account}:vpc/*'),
        reason:
          'The VPC is named by the CreateFlowLogs record at run time; the role may only create flow logs on it.',
      },
      {
        id: resourceWildcardFinding(scope, 'ec2:{region}:{account}:subnet/*'),
        reason:
          'The subnet is named by the CreateFlowLogs record at run time; the role may only create flow logs on it.',
      },
      {
        id: resourceWildcardFinding(scope, 'ec2:{region}:{account}:network-interface/*'),
        reason:
          'The network interface is named by the CreateFlowLogs record at run time; the role may only create flow logs on it.',
      },
      {
        id: resourceWildcardFinding(scope, 'iam::{account}:role/*'),
        reason:
          'iam:PassRole of the delivery role the deleted flow log used, named by its CreateFlowLogs record at run time; protected roles are denied explicitly.',
      },
    );
    const unsupported = new sfn.Pass(scope, 'Unsupported resource', {
      parameters: {
        Error: 'UnsupportedResource',
        Cause: `${NAME} acts on VPC flow logs deleted by DeleteFlowLogs, named by their ids`,
      },
      resultPath: '$.error',
    }).next(steps.human);
    return new sfn.Choice(scope, 'Deleted flow logs?')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.finding.resource.type'),
          sfn.Condition.stringEquals('$.finding.resource.type', 'FlowLogs'),
          sfn.Condition.isPresent(`${DELETED}[0]`),
        ),
        new sfn.Pass(scope, 'Start lookup', {
          result: sfn.Result.fromObject({ found: {}, calls: {}, pages: 0 }),
          resultPath: '$.lookup',
        })
          .next(lookup('Look up CreateFlowLogs', false))
          .next(match),
      )
      .otherwise(unsupported);
  },
};
