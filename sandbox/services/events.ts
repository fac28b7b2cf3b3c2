import { AwsError, type SandboxRequest } from '../protocol.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '../server.ts';
import { ModelService, type OperationHandler } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { type BusPolicyStatement, busAllowsPutEvents } from './events/bus-policy.ts';
import { EventDelivery, type RetryOptions } from './events/delivery.ts';
import { acceptEntry, type PutEventsEntry } from './events/envelope.ts';
import type {
  DeadLetter,
  DeliverToTarget,
  DeliveryRecord,
  EventEnvelope,
  EventsScope,
  EventTarget,
  RuleState,
  RuleView,
} from './events/model.ts';
import { type EventsOperation, eventsOperations, type PutEventsResult } from './events/operations.ts';
import { EventsRegistry, type RuleInput, ruleView } from './events/registry.ts';

export type { BusPolicyStatement } from './events/bus-policy.ts';
export type { RetryOptions } from './events/delivery.ts';
export type { PutEventsEntry } from './events/envelope.ts';
export type {
  DeadLetter,
  DeliverToTarget,
  DeliveryContext,
  DeliveryRecord,
  EventEnvelope,
  EventsScope,
  EventTarget,
  InputTransformer,
  RuleState,
  RuleView,
} from './events/model.ts';
export type { PutEventsResult } from './events/operations.ts';

/** Options of {@link EventsService}. */
export interface EventsServiceOptions {
  /**
   * Delivers a payload to a target: invokes the Lambda function, starts the execution.
   * @default accept every delivery without doing anything (observe them with `onDelivered`)
   */
  deliver?: DeliverToTarget;
  /** Retry and backoff of failed deliveries. */
  retry?: RetryOptions;
  /**
   * The clock, for event times.
   * @default () => new Date()
   */
  now?: () => Date;
  /**
   * The organization an account belongs to, for bus policies conditioned on `aws:PrincipalOrgID`.
   * @default no account belongs to an organization
   */
  organizationOf?: (accountId: string) => string | undefined;
}

/** PutRule for the deployer: the rule, on which bus, in which account and region. */
export interface RuleRegistration {
  name: string;
  /** @default 'default' */
  eventBusName?: string;
  /** The pattern, as an object (as the CDK template holds it) or as JSON text. */
  eventPattern: unknown;
  /** @default 'ENABLED' */
  state?: RuleState;
  description?: string;
  /** @default the sandbox account */
  accountId?: string;
  /** @default 'us-east-1' */
  region?: string;
}

const DEFAULT_SCOPE: EventsScope = { accountId: SANDBOX_ACCOUNT_ID, region: SANDBOX_REGION };

/**
 * Amazon EventBridge over its JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Operation>`): rules,
 * targets, buses, TestEventPattern and PutEvents, with the sandbox's faithful pattern matcher.
 * PutEvents answers at once and delivers afterwards, as EventBridge does; `whenIdle()` waits
 * until every accepted event has been delivered or dead-lettered.
 */
export class EventsService extends ModelService {
  readonly signingNames = ['events'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-eventbridge', 'EventBridgeClient');
  private readonly registry = new EventsRegistry();
  private readonly delivery: EventDelivery;
  private readonly now: () => Date;
  private readonly organizationOf: (accountId: string) => string | undefined;
  protected readonly operations: Record<string, OperationHandler>;

  constructor(options: EventsServiceOptions = {}) {
    super();
    this.delivery = new EventDelivery(options.deliver ?? (async () => {}), options.retry);
    this.now = options.now ?? (() => new Date());
    this.organizationOf = options.organizationOf ?? (() => undefined);
    const operations: Record<string, EventsOperation> = eventsOperations({
      registry: this.registry,
      putEvents: (entries, scope) => this.putEvents(entries, scope),
    });
    this.operations = Object.fromEntries(
      Object.entries(operations).map(([name, run]) => [
        name,
        (req: SandboxRequest, input: Record<string, unknown>) =>
          run(input, { accountId: req.accountId, region: req.region }) as object,
      ]),
    );
  }

  /** Deliveries that failed every attempt, with their errors, oldest first. */
  get deadLetters(): readonly DeadLetter[] {
    return this.delivery.deadLetters;
  }

  /** Create or update a rule (PutRule). Returns the rule's ARN. */
  putRule(registration: RuleRegistration): { ruleArn: string } {
    const { accountId, region, ...input } = registration;
    const rule = this.registry.putRule(scopeOf(accountId, region), input satisfies RuleInput);
    return { ruleArn: rule.arn };
  }

  /** Add or replace targets of a rule (PutTargets). */
  putTargets(
    ruleName: string,
    targets: readonly EventTarget[],
    eventBusName?: string,
    scope: EventsScope = DEFAULT_SCOPE,
  ): void {
    this.registry.putTargets(scope, ruleName, targets, eventBusName);
  }

  /** Create a custom event bus (CreateEventBus). Returns its ARN. */
  createEventBus(name: string, scope: EventsScope = DEFAULT_SCOPE): { eventBusArn: string } {
    return { eventBusArn: this.registry.createBus(scope, name).arn };
  }

  /**
   * Add or replace one statement of a bus's resource-based policy (PutPermission with a policy,
   * or CloudFormation's `AWS::Events::EventBusPolicy`).
   */
  putPermission(
    eventBusName: string,
    statement: BusPolicyStatement,
    scope: EventsScope = DEFAULT_SCOPE,
  ): void {
    const bus = this.registry.bus(scope, eventBusName);
    bus.policy.set(statement.Sid ?? `statement-${bus.policy.size + 1}`, statement);
  }

  /**
   * Put an event a rule matched onto the bus `busArn` (another account's or region's), as an
   * event-bus target does: only if that bus's policy admits the rule's account. The event keeps
   * its id, account, region and resources of origin. Rules of the receiving bus then see it.
   * @throws AwsError AccessDeniedException when the policy refuses, ResourceNotFoundException
   *   when the bus does not exist: either fails the delivery, which is retried and dead-lettered.
   */
  forward(event: EventEnvelope, busArn: string, from: RuleView): void {
    const scope = busScope(busArn);
    const bus = this.registry.bus(scope, busArn);
    this.authorize(bus.arn, [...bus.policy.values()], from.accountId, from.arn);
    this.delivery.dispatch(event, this.now(), this.registry.matchingRules(scope, bus.name, event));
  }

  /** The rules of a bus, with their targets (for tests and the demo). */
  listRules(eventBusName?: string, scope: EventsScope = DEFAULT_SCOPE): RuleView[] {
    return this.registry.listRules(scope, eventBusName).map(ruleView);
  }

  /**
   * PutEvents: validate each entry, answer with event ids or per-entry errors, then deliver the
   * accepted events to the targets of every enabled matching rule, asynchronously.
   */
  putEvents(entries: readonly PutEventsEntry[], scope: EventsScope = DEFAULT_SCOPE): PutEventsResult {
    const ingestedAt = this.now();
    const result: PutEventsResult = { FailedEntryCount: 0, Entries: [] };
    for (const entry of entries) {
      const accepted = acceptEntry(entry, scope, ingestedAt);
      if (!accepted.ok) {
        result.FailedEntryCount++;
        result.Entries.push({ ErrorCode: accepted.errorCode, ErrorMessage: accepted.errorMessage });
        continue;
      }
      let rules: RuleView[];
      try {
        // A bus named by ARN may be another account's (or region's): its policy decides.
        const target = accepted.eventBusName.startsWith('arn:') ? busScope(accepted.eventBusName) : scope;
        const bus = this.registry.bus(target, accepted.eventBusName);
        this.authorize(bus.arn, [...bus.policy.values()], scope.accountId);
        rules = this.registry.matchingRules(target, bus.name, accepted.envelope);
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        // An unknown bus fails the entry, not the whole call.
        result.FailedEntryCount++;
        result.Entries.push({ ErrorCode: err.code, ErrorMessage: err.message });
        continue;
      }
      this.delivery.dispatch(accepted.envelope, ingestedAt, rules);
      result.Entries.push({ EventId: accepted.envelope.id });
    }
    return result;
  }

  private authorize(
    busArn: string,
    statements: readonly BusPolicyStatement[],
    accountId: string,
    sourceArn?: string,
  ): void {
    const requester = { accountId, organizationId: this.organizationOf(accountId), sourceArn };
    if (!busAllowsPutEvents(busArn, statements, requester)) {
      throw new AwsError(
        'AccessDeniedException',
        `User: arn:aws:iam::${accountId}:root is not authorized to perform: events:PutEvents on resource: ${busArn} because no resource-based policy allows the events:PutEvents action`,
      );
    }
  }

  /** Be told of each successful delivery. Returns an unsubscribe function. */
  onDelivered(listener: (record: DeliveryRecord) => void): () => void {
    return this.delivery.onDelivered(listener);
  }

  /** Be told of each dead-lettered delivery. Returns an unsubscribe function. */
  onDeadLetter(listener: (letter: DeadLetter) => void): () => void {
    return this.delivery.onDeadLetter(listener);
  }

  /** Resolves when every accepted event has been delivered or dead-lettered. */
  whenIdle(): Promise<void> {
    return this.delivery.whenIdle();
  }
}

/** The account and region of an event-bus ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`). */
function busScope(busArn: string): EventsScope {
  const [, , service, region, accountId, resource] = busArn.split(':');
  if (service !== 'events' || !region || !accountId || !resource?.startsWith('event-bus/')) {
    throw new AwsError('ValidationException', `${busArn} is not an event bus ARN.`);
  }
  return { accountId, region };
}

function scopeOf(accountId?: string, region?: string): EventsScope {
  return { accountId: accountId ?? DEFAULT_SCOPE.accountId, region: region ?? DEFAULT_SCOPE.region };
}
