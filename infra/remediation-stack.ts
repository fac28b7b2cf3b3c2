import path from 'node:path';
import {
  ArnFormat,
  type CfnElement,
  CfnOutput,
  Duration,
  aws_dynamodb as dynamodb,
  Fn,
  aws_iam as iam,
  aws_kms as kms,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_sns_subscriptions as subscriptions,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PolicyError } from '#shared/errors.ts';
import { handOvers } from '#shared/policy/playbook-checks.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { TARGET_ROLE_ARN_PATH } from '#statemachines/fragments/member-credentials.ts';
import { resourceWildcardFinding } from '#statemachines/fragments/wildcard-acknowledgement.ts';
import type { PlaybookDefinition } from '#statemachines/playbook.ts';
import { playbooks } from '#statemachines/registry.ts';
import { undoPlaybook } from '#statemachines/undo.ts';
import type { StackConfig } from './config.ts';
import { ApprovalApi } from './constructs/approval-api.ts';
import { AuditTrail } from './constructs/audit-trail.ts';
import { FindingRouter } from './constructs/finding-router.ts';
import { memberRoleArn, playbookRoleName, playbookStateMachineName } from './constructs/member-access.ts';
import { deadLetterQueuesIn, Observability } from './constructs/observability.ts';
import { OrganizationBus } from './constructs/organization-bus.ts';
import { PlaybookStateMachine } from './constructs/playbook-state-machine.ts';
import { protectedPrincipalsDeny } from './constructs/protected-principals.ts';
import { acknowledgeDeadLetterQueue, RemediationFunction } from './constructs/remediation-function.ts';
import { grantPublishTo } from './grants.ts';
import { suppressNagFindings } from './nag-suppressions.ts';

/** Props of {@link RemediationStack}. */
export interface RemediationStackProps extends StackProps {
  readonly config: StackConfig;
  /** The validated remediation policy, baked into the classify bundle. */
  readonly policy: Policy;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The whole product in one account: finding rules → classify → playbooks → audit trail,
 * with a notification topic for the on-call engineer.
 */
export class RemediationStack extends Stack {
  public readonly auditTrail: AuditTrail;
  public readonly topic: sns.Topic;
  public readonly classifier: RemediationFunction;
  public readonly playbooks: Record<string, PlaybookStateMachine> = {};
  /** The undo state machine (`remediate undo`). */
  public readonly undo: PlaybookStateMachine;

  constructor(scope: Construct, id: string, props: RemediationStackProps) {
    super(scope, id, props);
    const { config, policy } = props;

    this.auditTrail = new AuditTrail(this, 'AuditTrail', { retentionDays: policy.audit.retentionDays });
    // Every audit record goes through this one function, the trail's only writer: playbooks' audit
    // steps and the functions that audit invoke it. It links each record into its finding's hash
    // chain, MACs it with the trail's KMS key, and emits the metrics the record stands for.
    const auditAppender = new RemediationFunction(this, 'AuditAppend', {
      entry: path.join(ROOT, 'functions/audit-append/handler.ts'),
      description: "Appends a playbook's audit record to its finding's hash chain",
      logRetention: config.logRetentionDays,
      memorySize: 256,
      environment: { POWERTOOLS_METRICS_NAMESPACE: 'AutoRemediation' },
    });
    this.auditTrail.setAppender(auditAppender);
    const appenderId = this.getLogicalId(auditAppender.node.defaultChild as CfnElement);
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${appenderId}.Arn>:*]`,
      reason:
        'Every playbook invokes the audit appender; the grant also names its versions and aliases (ARN:*), all of this one function.',
    });
    // Blast-radius counters and resource claims: mutable, so kept apart from the append-only trail.
    const counters = new dynamodb.Table(this, 'Counters', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    // A customer managed key, not alias/aws/sns: CloudWatch alarms publish here, and only a key
    // policy of our own can let cloudwatch.amazonaws.com use the key (for this account's alarms).
    const topicKey = new kms.Key(this, 'NotificationsKey', {
      description: 'Encrypts the auto-remediation notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Notifications', {
      displayName: 'Auto-remediation notifications',
      enforceSSL: true,
      masterKey: topicKey,
    });
    if (config.notificationEmail) {
      const undeliverable = new sqs.Queue(this, 'NotificationDlq', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledgeDeadLetterQueue(undeliverable, 'notifications SNS could not deliver');
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(config.notificationEmail, { deadLetterQueue: undeliverable }),
      );
    }

    const approvals = new ApprovalApi(this, 'Approvals', {
      auditTrail: this.auditTrail,
      topic: this.topic,
      approvers: policy.approvals.approvers,
      logRetention: config.logRetentionDays,
    });
    // Credentials from a JSONPath make CDK grant sts:AssumeRole on "*": only member roles, here,
    // and only in accounts of the organization (aws:ResourceOrgID is the organization of the
    // account that owns the role; absent outside any organization, which the Deny also refuses).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceorgid
    const onlyMemberRoles = (machine: PlaybookStateMachine, organizationId: string) => {
      machine.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['sts:AssumeRole'],
          notResources: [memberRoleArn(this, '*', config.memberRoleName)],
        }),
      );
      machine.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['sts:AssumeRole'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'aws:ResourceOrgID': organizationId } },
        }),
      );
    };
    const followUps = handOvers(policy);
    // A playbook that hands over needs its follow-ups' ARNs, so those are built first.
    for (const playbook of inHandOverOrder(playbooks, followUps)) {
      const machine = new PlaybookStateMachine(this, `Playbook-${playbook.name}`, {
        playbook,
        auditTable: this.auditTrail.table,
        auditAppender,
        topic: this.topic,
        approvalRequest: approvals.requestFunction,
        claims: counters,
        // In an organization: calls on the finding's resources are made as its account's member
        // role, and the state machine's own role has a fixed name that member roles trust.
        memberRoleArnPath: config.organizationId ? TARGET_ROLE_ARN_PATH : undefined,
        roleName: config.organizationId ? playbookRoleName(playbook.name, this.region) : undefined,
        stateMachineName: config.organizationId ? playbookStateMachineName(playbook.name) : undefined,
        memberRoles: config.organizationId
          ? {
              roleName: config.memberRoleName,
              organizationId: config.organizationId,
            }
          : undefined,
        followUps: [...(followUps.get(playbook.name) ?? [])].flatMap((name) => {
          const next = this.playbooks[name];
          return next ? [next.stateMachine] : [];
        }),
        logRetention: config.logRetentionDays,
      });
      if (config.organizationId) onlyMemberRoles(machine, config.organizationId);
      this.playbooks[playbook.name] = machine;
    }
    // Undo is not routed by the policy: it reverses an execution of any playbook above.
    const playbookMachines = Object.values(this.playbooks).map((m) => m.stateMachine);
    const undo = undoPlaybook({
      mode: policy.undo.mode,
      undoable: playbookMachines,
      approvals: approvals.table,
    });
    this.undo = new PlaybookStateMachine(this, 'Undo', {
      playbook: undo,
      auditTable: this.auditTrail.table,
      auditAppender,
      topic: this.topic,
      approvalRequest: approvals.requestFunction,
      logRetention: config.logRetentionDays,
      // In an organization, undo acts where the execution it reverses acted: as the same member role.
      memberRoleArnPath: config.organizationId ? TARGET_ROLE_ARN_PATH : undefined,
      roleName: config.organizationId ? playbookRoleName(undo.name, this.region) : undefined,
    });
    if (config.organizationId) onlyMemberRoles(this.undo, config.organizationId);
    approvals.allowDecisions();

    // In an organization, the regions the security stack runs in (this one at least).
    const deployedRegions = config.regions.length > 0 ? config.regions : [this.region];
    const stateMachineArns = Object.fromEntries(
      Object.entries(this.playbooks).map(([name, m]) => [name, m.stateMachine.stateMachineArn]),
    );
    const ownRoles = Object.values(this.playbooks).map((m) => m.stateMachine.role.roleArn);
    this.classifier = new RemediationFunction(this, 'Classify', {
      entry: path.join(ROOT, 'functions/classify/handler.ts'),
      description: 'Validates, normalizes and classifies findings, then starts the chosen playbook',
      logRetention: config.logRetentionDays,
      reservedConcurrentExecutions: config.classifierConcurrency,
      // EventBridge invokes it asynchronously: what fails after Lambda's retries is kept.
      invokedAsynchronously: true,
      // One event may carry many findings (a `findings` array), each classified in turn with a
      // few calls (slot claim, start, audit). A retry after a timeout starts the event over, so a
      // limit the whole array cannot meet on a slow day is never met: the tail of the array is
      // dead-lettered unclassified. 60 s leaves room for 100 findings under load.
      timeout: Duration.seconds(60),
      define: { 'process.env.REMEDIATION_POLICY': JSON.stringify(JSON.stringify(policy)) },
      environment: {
        ...this.auditTrail.writerEnvironment(),
        COUNTER_TABLE: counters.tableName,
        TOPIC_ARN: this.topic.topicArn,
        STATE_MACHINES: this.toJsonString(stateMachineArns),
        PROTECTED_PRINCIPAL_ARNS: Fn.join(',', ownRoles),
        GLOBAL_DRY_RUN: String(config.dryRun),
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'AutoRemediation',
        MEMBER_ROLE_ARN: config.organizationId ? memberRoleArn(this, '{account}', config.memberRoleName) : '',
        PLAYBOOK_REGIONS: config.organizationId ? deployedRegions.join(',') : '',
        STACK_ACCOUNT_ID: this.account,
      },
    });
    const fn = this.classifier;
    const classifierDeadLetters = fn.asyncFailureQueue;
    if (!classifierDeadLetters)
      throw new Error('the classifier is invoked asynchronously and has a dead-letter queue');
    // A finding about another region's resource (Security Hub cross-region aggregation) is started
    // in that region, where the security stack runs the same playbooks under the same names.
    const otherRegions = config.organizationId ? config.regions.filter((r) => r !== this.region) : [];
    if (otherRegions.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:StartExecution'],
          resources: otherRegions.map((region) =>
            this.formatArn({
              service: 'states',
              region,
              resource: 'stateMachine',
              resourceName: playbookStateMachineName('*'),
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
        }),
      );
      Validations.of(this).acknowledge(
        ...otherRegions.map((region) => ({
          id: resourceWildcardFinding(
            this,
            `states:${region}:{account}:stateMachine:${playbookStateMachineName('*')}`,
          ),
          reason: `Starts this stack's own playbooks in ${region} (fixed names remediation-<playbook>), for findings about resources there; nothing else.`,
        })),
      );
    }
    fn.addEnvironment('DEAD_LETTER_QUEUE_URL', classifierDeadLetters.queueUrl);
    this.auditTrail.grantAppend(fn);
    counters.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    grantPublishTo(this.topic, fn);
    // SendMessage only (grantSendMessages adds GetQueueAttributes and GetQueueUrl, which classify
    // never calls: it has the URL); the queue is SQS-managed encrypted, so no key grant either.
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [classifierDeadLetters.queueArn] }),
    );
    for (const machine of Object.values(this.playbooks)) machine.stateMachine.grantStartExecution(fn);

    const router = new FindingRouter(this, 'Router', { classifier: fn });
    if (config.organizationId) {
      // Member accounts forward their CloudTrail and Config events here; the same finding arriving
      // on both buses runs once (its execution name comes from its own id and account).
      const organization = new OrganizationBus(this, 'Organization', {
        organizationId: config.organizationId,
      });
      new FindingRouter(this, 'OrganizationRouter', { classifier: fn, eventBus: organization.eventBus });
      new CfnOutput(this, 'OrganizationBusArn', { value: organization.eventBus.eventBusArn });
    }

    new CfnOutput(this, 'AuditTableName', { value: this.auditTrail.table.tableName });
    new CfnOutput(this, 'AuditChainTableName', { value: this.auditTrail.chainTable.tableName });
    new CfnOutput(this, 'ApprovalPageUrl', { value: approvals.pageUrl.url });
    new CfnOutput(this, 'ApprovalDecisionFunctionName', { value: approvals.decisionFunction.functionName });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.topic.topicArn });
    new CfnOutput(this, 'UndoStateMachineArn', { value: this.undo.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ClassifyDeadLetterQueueUrl', { value: classifierDeadLetters.queueUrl });
    new CfnOutput(this, 'DeliveryDeadLetterQueueUrl', { value: router.deadLetterQueue.queueUrl });
    for (const [name, machine] of Object.entries(this.playbooks)) {
      new CfnOutput(
        this,
        `StateMachine${name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`,
        {
          value: machine.stateMachine.stateMachineArn,
        },
      );
    }
    // Last: every dead-letter queue created above gets its alarm.
    const observability = new Observability(this, 'Observability', {
      classifier: fn,
      playbooks: Object.fromEntries(Object.entries(this.playbooks).map(([n, m]) => [n, m.stateMachine])),
      undo: this.undo.stateMachine,
      deadLetterQueues: deadLetterQueuesIn(this),
      approvalFunctions: [approvals.requestFunction, approvals.decisionFunction],
      topic: this.topic,
    });
    new CfnOutput(this, 'DashboardName', { value: observability.dashboard.dashboardName });
    // Defence in depth, last so that every role of the stack exists: even a wrong decision cannot
    // let a playbook or undo (acting in this account) touch a protected principal or this stack's
    // own roles. In an organization the member role carries the same Deny (member-stack.ts).
    const stackRoles = this.node.findAll().flatMap((c) => (c instanceof iam.Role ? [c.roleArn] : []));
    for (const machine of [...Object.values(this.playbooks), this.undo])
      machine.stateMachine.addToRolePolicy(protectedPrincipalsDeny(policy.protectedPrincipals, stackRoles));
    suppressNagFindings(this);
  }
}

/** Every playbook after the playbooks it hands over to; a cycle of hand-overs is a policy error. */
function inHandOverOrder(
  all: readonly PlaybookDefinition[],
  followUps: Map<string, Set<string>>,
): PlaybookDefinition[] {
  const ordered: PlaybookDefinition[] = [];
  const visiting = new Set<string>();
  const visit = (playbook: PlaybookDefinition) => {
    if (ordered.includes(playbook)) return;
    if (visiting.has(playbook.name))
      throw new PolicyError(`policy: hand-overs (next:) form a cycle through ${playbook.name}`);
    visiting.add(playbook.name);
    for (const name of followUps.get(playbook.name) ?? []) {
      const next = all.find((p) => p.name === name);
      if (next) visit(next);
    }
    visiting.delete(playbook.name);
    ordered.push(playbook);
  };
  for (const playbook of all) visit(playbook);
  return ordered;
}
