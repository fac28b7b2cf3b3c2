import {
  App,
  aws_kms as kms,
  aws_lambda as lambda,
  Stack,
  aws_stepfunctions as sfn,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Observability, type ObservabilityProps } from '#infra/constructs/observability.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { FindingSourceSchema } from '#shared/findings/finding.ts';
import { METRIC_NAMESPACE, MetricEmitter, MetricName } from '#shared/metrics/names.ts';
import { playbookNames } from '#statemachines/registry.ts';
import { synthesize } from './helpers.ts';

let template: Template;
beforeAll(() => {
  // With an email subscription, so the notification dead-letter queue exists too.
  template = synthesize({ notificationEmail: 'secops@example.com' }).template;
}, 120_000);

const idOf = (type: string, prefix: string): string => {
  const id = Object.keys(template.findResources(type)).find((k) => k.startsWith(prefix));
  if (!id) throw new Error(`no ${type} ${prefix}*`);
  return id;
};
const topicRef = () => ({ Ref: idOf('AWS::SNS::Topic', 'Notifications') });
/** Logical id prefix of each state machine, by the `Playbook` dimension value it is known by. */
const machinePrefixes = (): Record<string, string> =>
  Object.fromEntries([
    ...playbookNames.map((name) => [name, `Playbook${name.replaceAll('-', '')}StateMachine`]),
    ['undo', 'UndoStateMachine'],
  ]);

/** One metric of a dashboard graph: a plain metric (namespace, name, dimensions) or an expression. */
interface GraphedMetric {
  namespace?: string;
  name?: string;
  dimensions: Record<string, string>;
  stat?: string;
  label?: string;
  expression?: string;
}

/** The dashboard body as widgets, `Ref`/`Fn::GetAtt` tokens written as `REF:id` and `GETATT:id.attr`. */
function dashboardMetrics(): { title?: string; metrics: GraphedMetric[] }[] {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const join = dashboard?.Properties.DashboardBody['Fn::Join'] as [string, unknown[]];
  const text = join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const { Ref, 'Fn::GetAtt': att } = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return Ref ? `REF:${Ref}` : `GETATT:${att?.join('.')}`;
    })
    .join(join[0]);
  const body = JSON.parse(text) as { widgets: { properties: { title?: string; metrics?: unknown[][] } }[] };
  return body.widgets.map(({ properties }) => ({
    title: properties.title,
    metrics: (properties.metrics ?? []).map((row) => {
      const options = (typeof row.at(-1) === 'object' ? row.at(-1) : {}) as Record<string, string>;
      const [namespace, name, ...rest] = row.filter((cell) => typeof cell === 'string') as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
      return { namespace, name, dimensions, ...options };
    }),
  }));
}
const allGraphed = () => dashboardMetrics().flatMap((w) => w.metrics);

describe('observability dashboard', () => {
  it('is one dashboard, its name a stack output', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasOutput('DashboardName', {
      Value: { Ref: idOf('AWS::CloudWatch::Dashboard', 'Observability') },
    });
  });

  it('graphs every product metric from the AutoRemediation namespace, with its emitter as `service`', () => {
    const graphed = allGraphed();
    for (const name of Object.values(MetricName)) {
      const service = MetricEmitter[name];
      const plain = graphed.some(
        (m) => m.namespace === METRIC_NAMESPACE && m.name === name && m.dimensions.service === service,
      );
      const searched = graphed.some(
        (m) =>
          m.expression?.includes(`{${METRIC_NAMESPACE},`) &&
          m.expression.includes(`MetricName="${name}"`) &&
          m.expression.includes(`service="${service}"`),
      );
      expect(plain || searched, name).toBe(true);
    }
  });

  it('shows findings received per finding source', () => {
    const graph = dashboardMetrics().find((w) => w.title === 'Findings received by source');
    expect(graph?.metrics.map((m) => m.label)).toEqual(FindingSourceSchema.options);
    for (const m of graph?.metrics ?? []) {
      expect(m.expression).toContain('{AutoRemediation,Source,FindingType,service}');
      expect(m.expression).toContain(`Source="${m.label}"`);
    }
  });

  it('shows containment latency p50 and p99 of every playbook', () => {
    const latency = allGraphed().filter((m) => m.name === MetricName.ContainmentLatency);
    for (const stat of ['p50', 'p99']) {
      expect(
        latency
          .filter((m) => m.stat === stat)
          .map((m) => m.dimensions.Playbook)
          .sort(),
      ).toEqual([...playbookNames].sort());
    }
  });

  it('shows approvals requested and timed out for every state machine, undo included', () => {
    for (const name of [MetricName.ApprovalsPending, MetricName.ApprovalsTimedOut]) {
      const playbooks = allGraphed()
        .filter((m) => m.name === name)
        .map((m) => m.dimensions.Playbook);
      expect(playbooks.sort(), name).toEqual([...playbookNames, 'undo'].sort());
    }
  });

  it('shows failed and timed-out executions of every state machine', () => {
    const machines = Object.values(machinePrefixes())
      .map((prefix) => `REF:${idOf('AWS::StepFunctions::StateMachine', prefix)}`)
      .sort();
    for (const name of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      const graphed = allGraphed().filter((m) => m.namespace === 'AWS/States' && m.name === name);
      expect(graphed.map((m) => m.dimensions.StateMachineArn).sort(), name).toEqual(machines);
    }
  });

  it('shows the depth of every queue in the stack, and the classify errors, throttles and duration', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const depth = allGraphed().filter((m) => m.name === 'ApproximateNumberOfMessagesVisible');
    expect(depth.map((m) => m.dimensions.QueueName).sort()).toEqual(
      queues.map((id) => `GETATT:${id}.QueueName`).sort(),
    );
    const classify = `REF:${idOf('AWS::Lambda::Function', 'Classify')}`;
    const lambdaMetrics = allGraphed().filter(
      (m) => m.namespace === 'AWS/Lambda' && m.dimensions.FunctionName === classify,
    );
    expect(lambdaMetrics.map((m) => `${m.name} ${m.stat}`).sort()).toEqual([
      'Duration Maximum',
      'Duration p50',
      'Duration p99',
      'Errors Sum',
      'Throttles Sum',
    ]);
  });
});

describe('observability alarms', () => {
  it('all notify the notification topic, fire on the first period above zero and say what to do', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const { Properties: p } of alarms) {
      expect(p.AlarmActions, p.AlarmName).toEqual([topicRef()]);
      expect(p).toMatchObject({
        TreatMissingData: 'notBreaching',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
      });
      expect(p.AlarmDescription.length, p.AlarmName).toBeGreaterThan(150);
    }
  });

  it('one per state machine: its failed plus timed-out executions', () => {
    for (const prefix of Object.values(machinePrefixes())) {
      const machine = { Ref: idOf('AWS::StepFunctions::StateMachine', prefix) };
      const stat = (id: string, metricName: string) =>
        Match.objectLike({
          Id: id,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/States',
              MetricName: metricName,
              Dimensions: [{ Name: 'StateMachineArn', Value: machine }],
            },
            Period: 300,
            Stat: 'Sum',
          },
        });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0)', ReturnData: true }),
          stat('failed', 'ExecutionsFailed'),
          stat('timedOut', 'ExecutionsTimedOut'),
        ]),
        AlarmActions: [topicRef()],
      });
    }
  });

  it('one per queue (every queue of the stack is a dead-letter queue) when it holds any message', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues.some((id) => id.startsWith('NotificationDlq'))).toBe(true);
    for (const id of queues) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 0,
        AlarmActions: [topicRef()],
      });
    }
  });

  it('watches a function dead-letter queue only where an EventBridge rule invokes the function asynchronously', () => {
    // A dead-letter queue receives only failed asynchronous invocations; one on a function called
    // synchronously (Step Functions tasks, a function URL) stays empty and its alarm never fires.
    const targeted = new Set(
      Object.values(template.findResources('AWS::Events::Rule')).flatMap((rule) =>
        ((rule.Properties.Targets as { Arn?: { 'Fn::GetAtt'?: string[] } }[]) ?? []).flatMap(
          (t) => t.Arn?.['Fn::GetAtt']?.[0] ?? [],
        ),
      ),
    );
    const functions = template.findResources('AWS::Lambda::Function');
    const withQueue = Object.entries(functions)
      .filter(([, f]) => f.Properties.DeadLetterConfig)
      .map(([id]) => id);
    expect(withQueue.length).toBeGreaterThan(0);
    expect(withQueue.filter((id) => !targeted.has(id))).toEqual([]);
    // The queues of the other functions are gone with them, alarms included.
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    for (const fn of [
      'AuditAppend',
      'ApprovalsDecision',
      'ApprovalsRequest',
      'PlanIngressRevocation',
      'PlanUndo',
    ])
      expect(
        queues.filter((q) => q.includes(`${fn}Dlq`)),
        fn,
      ).toEqual([]);
  });

  it('keeps Step Functions logs under /aws/vendedlogs/states/', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines.length).toBeGreaterThan(0);
    for (const machine of machines) {
      const destination = machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup;
      const groupId = destination.LogGroupArn['Fn::GetAtt'][0] as string;
      expect(groups[groupId]?.Properties.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\/[\w.-]+$/);
    }
  });

  it('one per state machine when any of its approvals timed out', () => {
    for (const playbook of Object.keys(machinePrefixes())) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AutoRemediation',
        MetricName: MetricName.ApprovalsTimedOut,
        Dimensions: [
          { Name: 'Playbook', Value: playbook },
          { Name: 'service', Value: 'audit-append' },
        ],
        Statistic: 'Sum',
        Threshold: 0,
        AlarmActions: [topicRef()],
      });
    }
  });

  it('on classifier errors: the Lambda Errors of classify and the ClassifierErrors metric', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf('AWS::Lambda::Function', 'Classify') } }],
      Statistic: 'Sum',
      AlarmActions: [topicRef()],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AutoRemediation',
      MetricName: MetricName.ClassifierErrors,
      Dimensions: [{ Name: 'service', Value: 'classify' }],
      Statistic: 'Sum',
      AlarmActions: [topicRef()],
    });
  });

  it("may publish to the topic: CloudWatch is allowed, for this account's alarms named after the stack", () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef()],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
            },
          }),
        ]),
      },
    });
    const policy = JSON.stringify(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policy).toContain(':alarm:AutoRemediation-*');
    for (const { Properties: p } of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(p.AlarmName).toMatch(/^AutoRemediation-/);
    }
  });
});

describe('Observability construct', () => {
  /** The construct on its own, in a bare stack: a function, one playbook, undo, a topic. */
  function bare(overrides: Partial<ObservabilityProps> = {}, masterKey?: 'aws-managed' | 'customer') {
    const stack = new Stack(new App(), 'Bare');
    const machine = (id: string) =>
      new sfn.StateMachine(stack, id, {
        definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, `${id}Pass`)),
      });
    const key =
      masterKey === 'aws-managed'
        ? kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns')
        : masterKey === 'customer'
          ? new kms.Key(stack, 'Key')
          : undefined;
    const observability = new Observability(stack, 'Observability', {
      classifier: new lambda.Function(stack, 'Fn', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('export const handler = async () => {};'),
      }),
      playbooks: { 'disable-access-key': machine('Playbook') },
      undo: machine('Undo'),
      deadLetterQueues: [],
      topic: new sns.Topic(stack, 'Topic', { masterKey: key }),
      ...overrides,
    });
    return { stack, observability };
  }

  it('refuses to watch no playbook, or a playbook named like the undo state machine', () => {
    expect(() => bare({ playbooks: {} })).toThrow(ConfigurationError);
    const arn = 'arn:aws:states:eu-west-1:111122223333:stateMachine:undo';
    const named = sfn.StateMachine.fromStateMachineArn(new Stack(), 'Named', arn);
    expect(() => bare({ playbooks: { undo: named } })).toThrow(/undo/);
  });

  it('warns that alarms cannot notify through a topic encrypted with the AWS managed key', () => {
    const warnings = (masterKey?: 'aws-managed' | 'customer') =>
      Annotations.fromStack(bare({}, masterKey).stack).findWarning(
        '*',
        Match.stringLikeRegexp('alias/aws/sns'),
      );
    expect(warnings('aws-managed')).toHaveLength(1);
    expect(warnings('customer')).toHaveLength(0);
    expect(warnings()).toHaveLength(0);
  });
});

/** Key rotation management (enable-key-rotation, its undo): no encryption or decryption. */
const ROTATION_ACTIONS = ['kms:getkeyrotationstatus', 'kms:enablekeyrotation', 'kms:disablekeyrotation'];

describe('the notification topic the alarms publish to', () => {
  it('is encrypted with a rotated customer managed key whose policy admits CloudWatch alarms of this account only', () => {
    const topics = template.findResources('AWS::SNS::Topic', {
      Properties: { DisplayName: 'Auto-remediation notifications' },
    });
    const [topic] = Object.values(topics);
    const keyRef = topic?.Properties?.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] } | undefined;
    if (!keyRef) throw new Error('the notification topic has no KMS key');
    const keyId = keyRef['Fn::GetAtt'][0];
    const key = template.toJSON().Resources[keyId];
    expect(key?.Type).toBe('AWS::KMS::Key');
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    const cloudwatch = key?.Properties?.KeyPolicy?.Statement?.find(
      (s: { Principal?: { Service?: string } }) => s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(cloudwatch).toMatchObject({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    // Every other user of the key is granted exactly what publishing needs, on this key.
    // (The re-image playbook's EBS key grants hold only through EC2, kms:ViaService, so not for SNS.)
    const grants = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        p.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
          Condition?: { StringEquals?: Record<string, unknown> };
        }[],
    );
    // The audit trail's HMAC key has its own grant (test/infra/audit-trail.test.ts).
    const onAuditMacKey = (s: { Resource: unknown }) =>
      JSON.stringify(s.Resource).includes('"AuditTrailMacKey');
    // enable-key-rotation and its undo manage any key's rotation: no use of a key's material.
    const rotationOnly = (s: { Action: string | string[] }) =>
      [s.Action].flat().every((a) => ROTATION_ACTIONS.includes(a.toLowerCase()));
    const kmsGrants = grants.filter(
      (s) =>
        [s.Action].flat().some((a) => a.startsWith('kms:')) &&
        !s.Condition?.StringEquals?.['kms:ViaService'] &&
        !onAuditMacKey(s) &&
        !rotationOnly(s),
    );
    expect(kmsGrants.length).toBeGreaterThan(0);
    for (const s of kmsGrants) {
      expect([s.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });
});
