import {
  Aws,
  Duration,
  aws_events as events,
  aws_iam as iam,
  aws_sqs as sqs,
  aws_events_targets as targets,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FINDING_PATTERNS } from './finding-router.ts';
import { acknowledgeDeadLetterQueue } from './remediation-function.ts';

/**
 * Where AWS delivers the events of its global services (IAM, STS, console sign-in, so the root
 * user's `CreateAccessKey` and `ConsoleLogin`): only to the default bus of us-east-1, whatever
 * region the call was made from.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-global-service-events
 * https://repost.aws/knowledge-center/eventbridge-rule-triggers-iam-single-region
 */
export const GLOBAL_SERVICE_EVENTS_REGION = 'us-east-1';

/** The finding sources made of global-service events (see {@link GLOBAL_SERVICE_EVENTS_REGION}). */
export const GLOBAL_SOURCES: readonly string[] = ['RootActivity'];

/**
 * The region whose security stack receives the global-service events: us-east-1 when the stack is
 * deployed there (or `regions` is unset, so one region is assumed to be it), otherwise the first
 * of `regions`. Events arriving in us-east-1 are forwarded to that region's bus.
 */
export function globalEventsRegion(regions: readonly string[]): string {
  if (regions.length === 0 || regions.includes(GLOBAL_SERVICE_EVENTS_REGION))
    return GLOBAL_SERVICE_EVENTS_REGION;
  return regions[0] as string;
}

/** One forwarding rule: a finding source and the bus (in any account or region) it goes to. */
export interface ForwardedSource {
  /** A key of FINDING_PATTERNS. */
  readonly source: string;
  /** The ARN of the receiving event bus. */
  readonly busArn: string;
}

/**
 * Rules on this account's default bus that forward the sources' events to other buses, with one
 * role EventBridge forwards as (events:PutEvents on those buses, nothing else) and one dead-letter
 * queue for what it could not deliver. Cross-account and cross-region bus targets need the role.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 */
export function forwardEvents(
  scope: Construct,
  props: { readonly to: string; readonly sources: readonly ForwardedSource[] },
): { rules: events.Rule[]; role: iam.Role } {
  const undeliverable = new sqs.Queue(scope, 'ForwardingDlq', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeDeadLetterQueue(undeliverable, `events EventBridge could not forward to ${props.to}`);
  const forwarder = new iam.Role(scope, 'ForwardingRole', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    description: `Lets EventBridge forward this account's events to ${props.to}`,
  });
  const buses = new Map<string, events.IEventBus>();
  const rules = props.sources.map(({ source, busArn }) => {
    let bus = buses.get(busArn);
    if (!bus) {
      bus = events.EventBus.fromEventBusArn(
        scope,
        buses.size === 0 ? 'SecurityBus' : `Bus${buses.size}`,
        busArn,
      );
      buses.set(busArn, bus);
    }
    const eventPattern = FINDING_PATTERNS[source];
    if (!eventPattern) throw new Error(`forwardEvents: no finding pattern named ${source}`);
    return new events.Rule(scope, `Forward${source}`, {
      description: `Forward ${source} events to ${props.to}`,
      eventPattern,
      targets: [new targets.EventBus(bus, { deadLetterQueue: undeliverable, role: forwarder })],
    });
  });
  return { rules, role: forwarder };
}

/** The ARN of `account`'s bus `name` in `region` (default: the region the stack is deployed in). */
export function eventBusArn(account: string, name: string, region: string = Aws.REGION): string {
  return `arn:${Aws.PARTITION}:events:${region}:${account}:event-bus/${name}`;
}
