import { compilePattern, InvalidEventPatternError } from '../../event-pattern/index.ts';
import { AwsError } from '../../protocol.ts';
import type { PutEventsEntry } from './envelope.ts';
import type { EventsScope, RuleState } from './model.ts';
import type { EventsRegistry, StoredBus, StoredRule } from './registry.ts';
import { targetFromWire, targetToWire, type WireTarget } from './targets.ts';

/** The result PutEvents returns, per entry in request order. */
export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
}

/** What the wire operations need from the service. */
export interface OperationDeps {
  registry: EventsRegistry;
  putEvents(entries: readonly PutEventsEntry[], scope: EventsScope): PutEventsResult;
}

/** One EventBridge operation: the decoded JSON request in, the JSON response out. */
export type EventsOperation = (input: Record<string, unknown>, scope: EventsScope) => unknown;

const TEST_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

const text = (input: Record<string, unknown>, key: string): string | undefined =>
  typeof input[key] === 'string' ? (input[key] as string) : undefined;

function required(input: Record<string, unknown>, key: string): string {
  const value = text(input, key);
  if (!value) throw new AwsError('ValidationException', `Parameter ${key} must be specified.`);
  return value;
}

function ruleToWire(rule: StoredRule): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    EventPattern: rule.eventPattern,
    ScheduleExpression: rule.scheduleExpression,
    State: rule.state,
    Description: rule.description,
    RoleArn: rule.roleArn,
    EventBusName: rule.eventBusName,
  };
}

function busToWire(bus: StoredBus): Record<string, unknown> {
  // JSON 1.1 timestamps are epoch seconds.
  const created = bus.createdAt.getTime() / 1000;
  return {
    Name: bus.name,
    Arn: bus.arn,
    Description: bus.description,
    CreationTime: created,
    LastModifiedTime: created,
    // DescribeEventBus returns the resource-based policy as JSON text, when the bus has one.
    Policy:
      bus.policy.size > 0
        ? JSON.stringify({ Version: '2012-10-17', Statement: [...bus.policy.values()] })
        : undefined,
  };
}

/** A page of `items`: NextToken is the offset of the next page, opaque to callers. */
function page<T>(items: readonly T[], input: Record<string, unknown>): { items: T[]; nextToken?: string } {
  const start = text(input, 'NextToken')
    ? Number(Buffer.from(text(input, 'NextToken') as string, 'base64url'))
    : 0;
  const limit = typeof input.Limit === 'number' ? input.Limit : 100;
  const end = start + limit;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}

function testEventPattern(input: Record<string, unknown>): { Result: boolean } {
  let matcher: (event: unknown) => boolean;
  try {
    matcher = compilePattern(required(input, 'EventPattern'));
  } catch (err) {
    if (err instanceof InvalidEventPatternError)
      throw new AwsError('InvalidEventPatternException', err.message);
    throw err;
  }
  let event: unknown;
  try {
    event = JSON.parse(required(input, 'Event'));
  } catch (err) {
    throw new AwsError('ValidationException', `Parameter Event is not valid. ${(err as Error).message}`);
  }
  const fields = typeof event === 'object' && event !== null ? Object.keys(event) : [];
  const missing = TEST_EVENT_FIELDS.filter((field) => !fields.includes(field));
  if (missing.length > 0) {
    throw new AwsError('ValidationException', `Parameter Event is not valid: missing ${missing.join(', ')}.`);
  }
  return { Result: matcher(event) };
}

/** The EventBridge operations the sandbox serves, by operation name. */
export function eventsOperations({ registry, putEvents }: OperationDeps): Record<string, EventsOperation> {
  const busOf = (input: Record<string, unknown>) => text(input, 'EventBusName');
  return {
    PutRule: (input, scope) => ({
      RuleArn: registry.putRule(scope, {
        name: required(input, 'Name'),
        eventBusName: busOf(input),
        eventPattern: text(input, 'EventPattern'),
        scheduleExpression: text(input, 'ScheduleExpression'),
        state: text(input, 'State') as RuleState | undefined,
        description: text(input, 'Description'),
        roleArn: text(input, 'RoleArn'),
      }).arn,
    }),
    DescribeRule: (input, scope) => {
      const rule = registry.rule(scope, required(input, 'Name'), busOf(input));
      return { ...ruleToWire(rule), CreatedBy: rule.accountId };
    },
    ListRules: (input, scope) => {
      const { items, nextToken } = page(
        registry.listRules(scope, busOf(input), text(input, 'NamePrefix')),
        input,
      );
      return { Rules: items.map(ruleToWire), NextToken: nextToken };
    },
    EnableRule: (input, scope) => {
      registry.setRuleState(scope, required(input, 'Name'), 'ENABLED', busOf(input));
      return {};
    },
    DisableRule: (input, scope) => {
      registry.setRuleState(scope, required(input, 'Name'), 'DISABLED', busOf(input));
      return {};
    },
    DeleteRule: (input, scope) => {
      registry.deleteRule(scope, required(input, 'Name'), busOf(input));
      return {};
    },
    PutTargets: (input, scope) => {
      const targets = Array.isArray(input.Targets) ? (input.Targets as WireTarget[]).map(targetFromWire) : [];
      registry.putTargets(scope, required(input, 'Rule'), targets, busOf(input));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    RemoveTargets: (input, scope) => {
      const ids = Array.isArray(input.Ids) ? input.Ids.map(String) : [];
      registry.removeTargets(scope, required(input, 'Rule'), ids, busOf(input));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: (input, scope) => {
      const rule = registry.rule(scope, required(input, 'Rule'), busOf(input));
      const { items, nextToken } = page([...rule.targets.values()], input);
      return { Targets: items.map(targetToWire), NextToken: nextToken };
    },
    TestEventPattern: (input) => testEventPattern(input),
    PutEvents: (input, scope) => {
      const entries = input.Entries;
      if (!Array.isArray(entries) || entries.length === 0) {
        throw new AwsError(
          'ValidationException',
          "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      if (entries.length > 10) {
        throw new AwsError(
          'ValidationException',
          "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
        );
      }
      return putEvents(entries as PutEventsEntry[], scope);
    },
    CreateEventBus: (input, scope) => ({
      EventBusArn: registry.createBus(scope, required(input, 'Name'), text(input, 'Description')).arn,
    }),
    DescribeEventBus: (input, scope) => busToWire(registry.bus(scope, text(input, 'Name'))),
    ListEventBuses: (input, scope) => {
      const prefix = text(input, 'NamePrefix') ?? '';
      const buses = registry.listBuses(scope).filter((bus) => bus.name.startsWith(prefix));
      const { items, nextToken } = page(buses, input);
      return { EventBuses: items.map(busToWire), NextToken: nextToken };
    },
  };
}
