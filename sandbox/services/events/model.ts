/** Rule states EventBridge knows; the CloudTrail variant is enabled too. */
export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** Where a call acts: EventBridge state is per account and per region. */
export interface EventsScope {
  readonly accountId: string;
  readonly region: string;
}

/** A target's input transformer: variables taken from the event, poured into a template. */
export interface InputTransformer {
  /** Variable name to JSONPath (`$.detail.state`). */
  inputPathsMap?: Record<string, string>;
  /** Text or JSON with `<variable>` placeholders. */
  inputTemplate: string;
}

/** A rule target, as the deployer registers it (or PutTargets carries it). */
export interface EventTarget {
  id: string;
  /** The Lambda function, state machine, queue, ... to deliver to. */
  arn: string;
  roleArn?: string;
  /** Constant JSON text sent instead of the event. */
  input?: string;
  /** JSONPath of the part of the event to send (`$.detail`). */
  inputPath?: string;
  inputTransformer?: InputTransformer;
  /** Queue that receives events whose delivery failed every attempt. */
  deadLetterArn?: string;
  /** Retries after the first failed attempt (RetryPolicy.MaximumRetryAttempts). */
  retryAttempts?: number;
  /** RetryPolicy.MaximumEventAgeInSeconds, kept for ListTargetsByRule. */
  maximumEventAgeInSeconds?: number;
}

/** The event as EventBridge delivers it to targets. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 without milliseconds, as AWS writes it. */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** A read-only view of a rule, handed to delivery callbacks, tests and the demo. */
export interface RuleView {
  readonly name: string;
  readonly arn: string;
  readonly eventBusName: string;
  readonly accountId: string;
  readonly region: string;
  readonly state: RuleState;
  /** The pattern as JSON text, as DescribeRule returns it. */
  readonly eventPattern?: string;
  readonly scheduleExpression?: string;
  readonly description?: string;
  readonly targets: readonly EventTarget[];
}

/** What a delivery callback is told besides the target and payload. */
export interface DeliveryContext {
  readonly rule: RuleView;
  readonly event: EventEnvelope;
}

/**
 * Delivers one payload to one target (invokes the Lambda, starts the execution). Supplied by
 * whoever wires the sandbox together; a rejection counts as a failed attempt and is retried.
 */
export type DeliverToTarget = (
  target: EventTarget,
  payload: unknown,
  context: DeliveryContext,
) => Promise<void>;

/** One successful delivery. */
export interface DeliveryRecord extends DeliveryContext {
  readonly target: EventTarget;
  readonly payload: unknown;
  /** Attempts it took, 1 when the first one succeeded. */
  readonly attempts: number;
}

/** A delivery that failed every attempt (or whose input could not be built). */
export interface DeadLetter extends DeliveryContext {
  readonly target: EventTarget;
  /** The payload, when it could be built. */
  readonly payload: unknown;
  readonly attempts: number;
  readonly error: Error;
  readonly at: Date;
}
