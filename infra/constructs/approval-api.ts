import path from 'node:path';
import {
  type CfnElement,
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  type aws_logs as logs,
  Stack,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantPublishTo } from '../grants.ts';
import type { AuditTrail } from './audit-trail.ts';
import { RemediationFunction } from './remediation-function.ts';

/** Props of {@link ApprovalApi}. */
export interface ApprovalApiProps {
  /** The audit trail both functions append to. */
  readonly auditTrail: AuditTrail;
  /** The on-call notification topic: first requests go here. */
  readonly topic: sns.ITopic;
  /** IAM principal ARN wildcards that may decide from the CLI (policy `approvals.approvers`). @default [] */
  readonly approvers?: readonly string[];
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Human approvals: the approvals table, the link-signing secret, the escalation topic, the
 * function approval gates hand their task tokens to, and the decision function behind the
 * approval page (a function URL) and the CLI. Only the decision function may answer task tokens
 * ({@link ApprovalApi.allowDecisions}).
 */
export class ApprovalApi extends Construct {
  public readonly table: dynamodb.Table;
  public readonly secret: secretsmanager.Secret;
  public readonly escalationTopic: sns.Topic;
  public readonly requestFunction: RemediationFunction;
  public readonly decisionFunction: RemediationFunction;
  public readonly pageUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: ApprovalApiProps) {
    super(scope, id);
    const auditTable = props.auditTrail.table;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'ttl',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    // Signs the approval links and CSRF tokens and seals the stored task tokens (keys derived per purpose).
    this.secret = new secretsmanager.Secret(this, 'LinkSecret', {
      description: 'Signs approval links and seals approval task tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link secret invalidates every outstanding approval link and sealed task token; it is rotated by hand between incidents (put a new value), not on a schedule.',
    });
    this.escalationTopic = new sns.Topic(this, 'Escalations', {
      displayName: 'Auto-remediation escalations',
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });

    this.decisionFunction = new RemediationFunction(this, 'Decision', {
      entry: path.join(ROOT, 'functions/approval-decision/handler.ts'),
      description: 'Approval page and CLI decisions: the only answerer of approval task tokens',
      logRetention: props.logRetention,
      environment: {
        APPROVALS_TABLE: this.table.tableName,
        ...props.auditTrail.writerEnvironment(),
        APPROVAL_SECRET_ARN: this.secret.secretArn,
        APPROVERS: JSON.stringify(props.approvers ?? []),
      },
    });
    // Auth NONE: the signed, expiring, single-use link is the credential (people open it from
    // mail or chat, without AWS credentials); the CLI path proves IAM identity separately.
    this.pageUrl = this.decisionFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.allow(
      this.decisionFunction,
      ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'],
      [this.table.tableArn],
    );
    this.allow(this.decisionFunction, ['dynamodb:Query'], [auditTable.tableArn]);
    props.auditTrail.grantAppend(this.decisionFunction);
    // GetSecretValue only (grantRead adds DescribeSecret, which no code calls); the secret is
    // encrypted with the AWS managed key, which needs no grant.
    this.allow(this.decisionFunction, ['secretsmanager:GetSecretValue'], [this.secret.secretArn]);

    this.requestFunction = new RemediationFunction(this, 'Request', {
      entry: path.join(ROOT, 'functions/approval-request/handler.ts'),
      description:
        'Records an approval request (token sealed), audits it and notifies with a signed link; checks the decision after the wait',
      logRetention: props.logRetention,
      environment: {
        APPROVALS_TABLE: this.table.tableName,
        ...props.auditTrail.writerEnvironment(),
        TOPIC_ARN: props.topic.topicArn,
        ESCALATION_TOPIC_ARN: this.escalationTopic.topicArn,
        APPROVAL_SECRET_ARN: this.secret.secretArn,
        APPROVAL_PAGE_URL: this.pageUrl.url,
      },
    });
    // GetItem: after a wait, the gate asks this function whether a recorded decision answered it.
    this.allow(this.requestFunction, ['dynamodb:PutItem', 'dynamodb:GetItem'], [this.table.tableArn]);
    props.auditTrail.grantAppend(this.requestFunction);
    grantPublishTo(props.topic, this.requestFunction);
    grantPublishTo(this.escalationTopic, this.requestFunction);
    this.allow(this.requestFunction, ['secretsmanager:GetSecretValue'], [this.secret.secretArn]);
    const requestId = Stack.of(this).getLogicalId(this.requestFunction.node.defaultChild as CfnElement);
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${requestId}.Arn>:*]`,
      reason:
        'Step Functions invokes the approval-request function; the grant also names its versions and aliases (ARN:*), all of this one function.',
    });
  }

  /** Let the decision function, and no other principal of the stack, answer task tokens. */
  allowDecisions(): void {
    // The service authorization reference lists SendTaskSuccess/Failure with no resource type
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html):
    // a policy naming a state machine ARN would never match, and every decision would be denied.
    // The task token is the capability, and the playbooks continue only on a decision this
    // function recorded, so holding the action on `*` grants nothing more. A policy of its own,
    // not the role's default one: the function must not wait for the state machines (they wait
    // for the request function, which links to this function's URL).
    const answer = new iam.Policy(this, 'AnswerTaskTokens', {
      roles: [this.decisionFunction.role as iam.IRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(answer).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'SendTaskSuccess/SendTaskFailure support no resource-level permissions (service authorization reference); the task token is the capability, and playbooks continue only on a decision the decision function recorded.',
    });
  }

  private allow(fn: RemediationFunction, actions: string[], resources: string[]): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
  }
}
