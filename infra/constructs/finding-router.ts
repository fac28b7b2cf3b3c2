import {
  Duration,
  aws_events as events,
  type aws_lambda as lambda,
  aws_sqs as sqs,
  aws_events_targets as targets,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EVASION_CALLS, EVASION_SOURCES } from '#shared/findings/cloudtrail-evasion.ts';
import { SHARING_CALLS, SHARING_SOURCES } from '#shared/findings/cloudtrail-sharing.ts';
import { TRUSTED_AWS_PRODUCTS } from '#shared/findings/securityhub-products.ts';
import { acknowledgeDeadLetterQueue } from './remediation-function.ts';

/** Props of {@link FindingRouter}. */
export interface FindingRouterProps {
  /** The function every matching event is delivered to. */
  readonly classifier: lambda.IFunction;
  /** The bus the rules listen on. @default the account's default bus */
  readonly eventBus?: events.IEventBus;
}

/** The CloudTrail API calls the policy reacts to: configuration drift. */
export const DRIFT_EVENT_NAMES = [
  'AuthorizeSecurityGroupIngress',
  'ModifySecurityGroupRules',
  'StopLogging',
  'DeleteTrail',
  'PutBucketPolicy',
  'PutBucketAcl',
  'DeleteBucketPublicAccessBlock',
  'PutBucketPublicAccessBlock',
  'PutAccountPublicAccessBlock',
  'DeleteAccountPublicAccessBlock',
] as const;

/**
 * The product ARNs of the AWS services whose Security Hub findings may lead to containment:
 * `arn:<partition>:securityhub:<region>::product/aws/<service>`, the account field empty. A
 * custom or partner product's ARN has an account there, so it never ends in `::product/aws/<service>`.
 * (Every partition's name starts with `aws`; EventBridge's `*` matches any run of characters.)
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-internal-providers.html
 */
const TRUSTED_PRODUCT_ARNS = TRUSTED_AWS_PRODUCTS.map(
  (service) => `arn:aws*:securityhub:*::product/aws/${service}`,
);

/**
 * One narrow event pattern per finding source. Patterns name only what classify can act on.
 *
 * Security Hub findings come through two rules split on `ProductArn`. `SecurityHub`, the only one
 * that admits findings a playbook may act on, matches the trusted AWS services. Everything else
 * (custom and partner products, which anyone allowed `securityhub:BatchImportFindings` can write)
 * comes through `SecurityHubOtherProducts`, because those findings are still notified and their
 * outcome recorded, never dropped unheard. Each Security Hub Findings - Imported event carries a
 * single finding, so exactly one of the two matches it
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-integration-types.html).
 * The classifier checks `ProductArn` again per finding (shared/findings/securityhub-products.ts) and
 * caps the others at notify, so neither check alone decides what is contained.
 */
export const FINDING_PATTERNS: Record<string, events.EventPattern> = {
  GuardDuty: { source: ['aws.guardduty'], detailType: ['GuardDuty Finding'] },
  /** Malware Protection for S3 scan results that found a threat (shared/findings/guardduty-malware-scan.ts). */
  MalwareScanResult: {
    source: ['aws.guardduty'],
    detailType: ['GuardDuty Malware Protection Object Scan Result'],
    detail: { scanResultDetails: { scanResultStatus: ['THREATS_FOUND'] } },
  },
  CloudTrailDrift: {
    source: ['aws.ec2', 'aws.cloudtrail', 'aws.s3'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: { eventName: [...DRIFT_EVENT_NAMES] },
  },
  /**
   * Calls that turn off what watches the account (shared/findings/cloudtrail-evasion.ts). Matched
   * on source and event name; the classifier checks each name came from the service that owns it.
   */
  DefenseEvasion: {
    source: [...EVASION_SOURCES],
    detailType: ['AWS API Call via CloudTrail'],
    detail: { eventName: Object.keys(EVASION_CALLS) },
  },
  /** Snapshots and images shared with another account or made public (shared/findings/cloudtrail-sharing.ts). */
  DataSharedOut: {
    source: [...SHARING_SOURCES],
    detailType: ['AWS API Call via CloudTrail'],
    detail: { eventName: Object.keys(SHARING_CALLS) },
  },
  RootActivity: {
    source: ['aws.iam', 'aws.signin'],
    detailType: ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
    detail: { eventName: ['CreateAccessKey', 'ConsoleLogin'], userIdentity: { type: ['Root'] } },
  },
  ConfigCompliance: {
    source: ['aws.config'],
    detailType: ['Config Rules Compliance Change'],
    detail: { newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } },
  },
  SecurityHub: {
    source: ['aws.securityhub'],
    detailType: ['Security Hub Findings - Imported'],
    detail: { findings: { ProductArn: TRUSTED_PRODUCT_ARNS.map((arn) => ({ wildcard: arn })) } },
  },
  SecurityHubOtherProducts: {
    source: ['aws.securityhub'],
    detailType: ['Security Hub Findings - Imported'],
    detail: { findings: { ProductArn: [{ 'anything-but': { wildcard: TRUSTED_PRODUCT_ARNS } }] } },
  },
};

/**
 * The EventBridge rules that bring findings to the classifier, one per source, with a
 * dead-letter queue for events EventBridge could not deliver after its retries.
 */
export class FindingRouter extends Construct {
  public readonly rules: Record<string, events.Rule> = {};
  /** Events EventBridge failed to deliver to the classifier. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: FindingRouterProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeliveryDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(
      this.deadLetterQueue,
      'events EventBridge could not deliver to the classifier',
    );
    for (const [name, eventPattern] of Object.entries(FINDING_PATTERNS)) {
      const rule = new events.Rule(this, name, {
        eventBus: props.eventBus,
        description: `Findings from ${name} to the classifier`,
        eventPattern,
      });
      rule.addTarget(
        new targets.LambdaFunction(props.classifier, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      );
      this.rules[name] = rule;
    }
  }
}
