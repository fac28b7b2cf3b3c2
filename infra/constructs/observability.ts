import {
  Annotations,
  ArnFormat,
  aws_cloudwatch_actions as actions,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_iam as iam,
  aws_lambda as lambda,
  Stack,
  type aws_stepfunctions as sfn,
  aws_sns as sns,
  type aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import { ConfigurationError } from '#shared/errors.ts';
import { FindingSourceSchema } from '#shared/findings/finding.ts';
import { METRIC_NAMESPACE, MetricDimension, MetricEmitter, MetricName } from '#shared/metrics/names.ts';
import { UNDO } from '#shared/undo/plan.ts';
import { FindingRouter } from './finding-router.ts';

/** Every graph and alarm reads five-minute periods; every alarm fires on the first bad period. */
const PERIOD = Duration.minutes(5);
const { Service, Source, FindingType, Outcome, Playbook, Result } = MetricDimension;

/** A dead-letter queue and what lands in it, for its alarm's description. */
export interface DeadLetterQueue {
  readonly queue: sqs.IQueue;
  /** What a message in it is and what to do about it, in a sentence or two. */
  readonly holds: string;
}

/** Props of {@link Observability}. */
export interface ObservabilityProps {
  /** The classify function: its Lambda errors, throttles and duration. */
  readonly classifier: lambda.IFunction;
  /** The playbook state machines by playbook name (the `Playbook` dimension of our metrics). */
  readonly playbooks: Readonly<Record<string, sfn.IStateMachine>>;
  /** The undo state machine (its `Playbook` dimension is `undo`). */
  readonly undo: sfn.IStateMachine;
  /** Every dead-letter queue of the stack: one alarm each. See {@link deadLetterQueuesIn}. */
  readonly deadLetterQueues: readonly DeadLetterQueue[];
  /** The approval functions (request, decision), whose errors leave approvals stuck. @default [] */
  readonly approvalFunctions?: readonly lambda.IFunction[];
  /** The topic every alarm notifies. */
  readonly topic: sns.ITopic;
}

/**
 * The dashboard and alarms of the stack: the product's own metrics (namespace `AutoRemediation`,
 * emitted by the functions as EMF, `shared/metrics/names.ts`) beside the native metrics of the
 * state machines, queues and functions. Every alarm fires when its figure is above zero in a
 * five-minute period, notifies `topic`, and says in its description what to do.
 */
export class Observability extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly alarmPrefix: string;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const names = Object.keys(props.playbooks);
    if (names.length === 0) throw new ConfigurationError(`${id}: no playbook state machines to watch`);
    if (names.includes(UNDO))
      throw new ConfigurationError(
        `${id}: no playbook may be named '${UNDO}', the undo state machine's name`,
      );
    const stack = Stack.of(this);
    this.alarmPrefix = `${stack.stackName}-`;
    this.action = new actions.SnsAction(props.topic);
    allowAlarmsToPublish(props.topic, this.alarmPrefix);
    const machines: Record<string, sfn.IStateMachine> = { ...props.playbooks, [UNDO]: props.undo };

    for (const [name, machine] of Object.entries(machines)) {
      this.alarm(`Failed-${name}`, {
        name: `playbook-failed-${name}`,
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          usingMetrics: { failed: machine.metricFailed(), timedOut: machine.metricTimedOut() },
          label: `${name} executions failed or timed out`,
          period: PERIOD,
        }),
        description: `A ${name} execution failed or timed out. Failed paths end in "needs human": the playbook has audited the error and sent a "needs a human" notification if it could. Open the failed execution in the Step Functions console, read the error, finish the containment by hand from what the audit trail says was done, and fix the cause (permissions, a missing resource, a throttled API).`,
      });
      this.alarm(`ApprovalTimedOut-${name}`, {
        name: `approval-timed-out-${name}`,
        metric: ourMetric(MetricName.ApprovalsTimedOut, 'Sum', { [Playbook]: name }),
        description: `An approval for ${name} timed out: nobody approved or denied it in time. The gate escalates to the escalation topic, waits again, then applies the rule's onTimeout (proceed or abandon). Run \`npx remediate approvals list\` and decide any request still open; check that the notification and escalation topics have subscribers who are on call.`,
      });
    }
    const classifierQueue = props.classifier instanceof lambda.Function && props.classifier.deadLetterQueue;
    for (const { queue, holds } of props.deadLetterQueues) {
      const name = relativePath(queue, stack);
      // Classify itself sends the events it rejects to its dead-letter queue: no retry can fix them.
      const rejected =
        queue === classifierQueue
          ? ' It also holds the events the classifier rejected as malformed (the body carries the reason and the event): check their shape against the finding schemas.'
          : '';
      this.alarm(`DeadLetters-${name}`, {
        name: `dead-letters-${name}`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }),
        description: `Dead-letter queue ${name} has messages: ${holds}${rejected} Read them in the SQS console, fix the cause, replay what still matters, then delete them (the alarm clears when the queue is empty). A finding in a dead-letter queue was not remediated.`,
      });
    }
    this.alarm('ClassifyErrors', {
      name: 'classify-function-errors',
      metric: props.classifier.metricErrors({ statistic: 'Sum', period: PERIOD }),
      description:
        "The classify function failed on an event (an exception or a timeout). Lambda retries an asynchronous event twice, then dead-letters it. Read the classify function's logs for the error, fix the cause (configuration, permissions, a failing dependency), then replay the dead-lettered events.",
    });
    this.alarm('ClassifierErrors', {
      name: 'classifier-errors',
      metric: ourMetric(MetricName.ClassifierErrors, 'Sum'),
      description:
        "The classifier could not classify an event and put it in its dead-letter queue: the finding was not remediated. Read the message (it carries the reason and the event) and the classify function's logs; fix the cause (an event shape the schemas do not know yet, the policy), then replay the event.",
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboards are global to the account, stacks regional.
      dashboardName: `${stack.stackName}-${stack.region}`,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown:
              '# Auto-remediation\nFindings → classifier → playbooks → approvals, then the dead-letter queues. Every alarm notifies the notification topic; the README section "Observability" says what to do when one fires.',
            width: 24,
            height: 2,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
        ...stageRows(props.classifier, names, machines, props.approvalFunctions ?? []),
        [
          graph(
            'Dead-letter queue depth (messages)',
            props.deadLetterQueues.map(({ queue }) =>
              queue.metricApproximateNumberOfMessagesVisible({
                statistic: 'Maximum',
                period: PERIOD,
                label: relativePath(queue, stack),
              }),
            ),
            24,
          ),
        ],
      ],
    });

    const key = props.topic.masterKey;
    if (key && 'aliasName' in key && key.aliasName === 'alias/aws/sns') {
      Annotations.of(this).addWarningV2(
        'auto-remediation:alarm-topic-key',
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key alias/aws/sns (its key policy cannot allow cloudwatch.amazonaws.com); encrypt the topic with a customer managed key that allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or the alarms change state without notifying.',
      );
    }
  }

  private alarm(id: string, p: { name: string; metric: cloudwatch.IMetric; description: string }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.alarmPrefix}${p.name}`,
      alarmDescription: p.description,
      metric: p.metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
  }
}

/** The graphs, a row per stage: classifier, playbooks, approvals. */
function stageRows(
  classifier: lambda.IFunction,
  playbooks: readonly string[],
  machines: Record<string, sfn.IStateMachine>,
  approvalFunctions: readonly lambda.IFunction[],
): cloudwatch.IWidget[][] {
  const perPlaybook = (name: MetricName, statistic: string, names = Object.keys(machines)) =>
    names.map((playbook) => ourMetric(name, statistic, { [Playbook]: playbook }, playbook));
  const executions = (metric: 'metricFailed' | 'metricTimedOut') =>
    Object.entries(machines).map(([name, m]) => m[metric]({ period: PERIOD, label: name }));
  return [
    [
      // Finding types are open-ended: only a SEARCH sums a source's series.
      graph(
        'Findings received by source',
        FindingSourceSchema.options.map(
          (source) =>
            new cloudwatch.MathExpression({
              expression: `SUM(${search(MetricName.FindingsReceived, [Source, FindingType], { [Source]: source })})`,
              label: source,
              period: PERIOD,
            }),
        ),
      ),
      // Outcomes (routed, duplicate, rejected, ...) are the classifier's to name, so a SEARCH.
      graph('Classifier outcomes', [searched(MetricName.ClassifierOutcome, [Outcome])]),
      graph('Classifier errors and throttles', [
        ourMetric(MetricName.ClassifierErrors, 'Sum', {}, 'ClassifierErrors'),
        classifier.metricErrors({ statistic: 'Sum', period: PERIOD, label: 'Lambda errors' }),
        classifier.metricThrottles({ statistic: 'Sum', period: PERIOD, label: 'Lambda throttles' }),
      ]),
      graph(
        'Classify duration (ms)',
        ['p50', 'p99', 'Maximum'].map((statistic) =>
          classifier.metricDuration({ statistic, period: PERIOD, label: statistic }),
        ),
      ),
    ],
    [
      graph(
        'Containment latency p50 (ms)',
        perPlaybook(MetricName.ContainmentLatency, 'p50', [...playbooks]),
      ),
      graph(
        'Containment latency p99 (ms)',
        perPlaybook(MetricName.ContainmentLatency, 'p99', [...playbooks]),
      ),
      // Results (contained, verified, needs-human, ...) are the playbooks' to name, so a SEARCH.
      graph('Playbook results', [searched(MetricName.PlaybookResult, [Playbook, Result])]),
      graph('Executions failed', executions('metricFailed')),
    ],
    [
      graph('Executions timed out', executions('metricTimedOut')),
      graph('Approvals requested (pending)', perPlaybook(MetricName.ApprovalsPending, 'Sum')),
      graph('Approvals timed out', perPlaybook(MetricName.ApprovalsTimedOut, 'Sum')),
      graph(
        'Approval function errors',
        approvalFunctions.map((fn) =>
          fn.metricErrors({ statistic: 'Sum', period: PERIOD, label: fn.node.id }),
        ),
      ),
    ],
  ];
}

/** Every series of a SEARCH (see {@link search}), each labelled by its values of `dimensions`. */
function searched(name: MetricName, dimensions: MetricDimension[]): cloudwatch.SearchExpression {
  return new cloudwatch.SearchExpression({
    expression: search(name, dimensions),
    // A CloudWatch dynamic label: the series' value of each dimension.
    label: dimensions.map((d) => `\${PROP('Dim.${d}')}`).join(' '),
    period: PERIOD,
  });
}

function graph(title: string, left: cloudwatch.IMetric[], width = 6): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width, height: 6, period: PERIOD });
}

/** One of our metrics, with exactly the dimensions its emitter writes: `service` plus `dimensions`. */
function ourMetric(
  name: MetricName,
  statistic: string,
  dimensions: Record<string, string> = {},
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { [Service]: MetricEmitter[name], ...dimensions },
    statistic,
    period: PERIOD,
    label,
  });
}

/**
 * A SEARCH for every series of one of our metrics with exactly these dimensions (plus `service`),
 * for dimensions whose values only the emitter knows. Summed per period.
 */
function search(
  name: MetricName,
  dimensions: MetricDimension[],
  filter: Record<string, string> = {},
): string {
  const schema = [METRIC_NAMESPACE, ...dimensions, Service].join(',');
  const terms = Object.entries({ [Service]: MetricEmitter[name], ...filter })
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return `SEARCH('{${schema}} MetricName="${name}"${terms}', 'Sum', ${PERIOD.toSeconds()})`;
}

/** The construct path of `c` below its stack, as a name (`Approvals-RequestDlq`). */
function relativePath(c: IConstruct, stack: Stack): string {
  const prefix = `${stack.node.path}/`;
  const path = c.node.path.startsWith(prefix) ? c.node.path.slice(prefix.length) : c.node.path;
  return path.replaceAll('/', '-');
}

/**
 * Let this account's alarms named `<prefix>*` publish to the topic. CDK's topic policy (for
 * `enforceSSL`) replaces SNS's default one, which was what let CloudWatch publish.
 */
function allowAlarmsToPublish(topic: sns.ITopic, prefix: string): void {
  const stack = Stack.of(topic);
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: `${prefix}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
}

/**
 * Every dead-letter queue under `scope`: those of Lambda functions (failed asynchronous
 * invocations), of SNS subscriptions (undeliverable notifications) and of the finding routers
 * (undeliverable events). Found from the constructs, so a function added later is watched too.
 */
export function deadLetterQueuesIn(scope: IConstruct): DeadLetterQueue[] {
  const found = new Map<sqs.IQueue, string>();
  for (const c of scope.node.findAll()) {
    if (c instanceof lambda.Function && c.deadLetterQueue) {
      found.set(
        c.deadLetterQueue,
        `events the ${relativePath(c, Stack.of(c))} function failed on after Lambda's retries (the error is in the message attributes and the function's logs; replay a message body with \`aws lambda invoke --invocation-type Event\`).`,
      );
    } else if (c instanceof sns.Subscription && c.deadLetterQueue) {
      found.set(
        c.deadLetterQueue,
        'notifications SNS could not deliver to a subscriber (a bounced or unconfirmed address). Read them: one may ask for an approval. Fix the subscription.',
      );
    } else if (c instanceof FindingRouter) {
      found.set(
        c.deadLetterQueue,
        'finding events EventBridge could not deliver to the classifier after its retries (throttling, or the function missing or failing). Replay each body to the classify function once it accepts invocations.',
      );
    }
  }
  return [...found].map(([queue, holds]) => ({ queue, holds }));
}
