import {
  compilePattern,
  type EventPatternMatcher,
  InvalidEventPatternError,
} from '../../event-pattern/index.ts';
import { AwsError } from '../../protocol.ts';
import type { BusPolicyStatement } from './bus-policy.ts';
import type { EventEnvelope, EventsScope, EventTarget, RuleState, RuleView } from './model.ts';
import { validateTarget } from './targets.ts';

/** A rule as stored: its view plus the compiled pattern. */
interface StoredRule extends Omit<RuleView, 'targets'> {
  readonly matcher?: EventPatternMatcher;
  readonly roleArn?: string;
  readonly targets: Map<string, EventTarget>;
}

/** An event bus and its rules. */
export interface StoredBus {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly createdAt: Date;
  readonly rules: Map<string, StoredRule>;
  /** The bus's resource-based policy, by statement id. */
  readonly policy: Map<string, BusPolicyStatement>;
}

/** What PutRule carries (also the deployer's programmatic registration). */
export interface RuleInput {
  name: string;
  eventBusName?: string;
  /** Object or JSON text. */
  eventPattern?: unknown;
  scheduleExpression?: string;
  state?: RuleState;
  description?: string;
  roleArn?: string;
}

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
/** EventBridge accepts at most five targets per rule. */
const MAX_TARGETS_PER_RULE = 5;

const validation = (message: string) => new AwsError('ValidationException', message);

/** The name inside an event-bus ARN (`arn:aws:events:r:a:event-bus/name`), or the name itself. */
function busNameOf(nameOrArn: string): string {
  const marker = ':event-bus/';
  const at = nameOrArn.indexOf(marker);
  return at >= 0 ? nameOrArn.slice(at + marker.length) : nameOrArn;
}

/** The rules, targets and buses of every account and region the sandbox has seen. */
export class EventsRegistry {
  /** accountId → `${region}/${bus}` → bus. */
  private readonly accounts = new Map<string, Map<string, StoredBus>>();

  /** The bus by name or ARN; `default` always exists. */
  bus(scope: EventsScope, nameOrArn = 'default'): StoredBus {
    const name = busNameOf(nameOrArn);
    const buses = this.busesOf(scope);
    const bus = buses.get(`${scope.region}/${name}`);
    if (bus) return bus;
    if (name === 'default') return this.addBus(scope, 'default');
    throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
  }

  /** CreateEventBus. @throws ResourceAlreadyExistsException for a name in use. */
  createBus(scope: EventsScope, name: string, description?: string): StoredBus {
    if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name)) throw validation(`Event bus name ${name} is not valid.`);
    this.bus(scope);
    if (this.busesOf(scope).has(`${scope.region}/${name}`)) {
      throw new AwsError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    }
    return this.addBus(scope, name, description);
  }

  /** Every bus of the account in the region, `default` first. */
  listBuses(scope: EventsScope): StoredBus[] {
    this.bus(scope);
    return [...this.busesOf(scope).entries()]
      .filter(([key]) => key.startsWith(`${scope.region}/`))
      .map(([, bus]) => bus);
  }

  /**
   * PutRule: create the rule, or update it keeping its targets. The pattern is compiled here,
   * once, and a malformed one is refused with InvalidEventPatternException.
   */
  putRule(scope: EventsScope, input: RuleInput): StoredRule {
    if (!RULE_NAME.test(input.name)) throw validation(`Rule name ${input.name} is not valid.`);
    if (input.eventPattern === undefined && !input.scheduleExpression) {
      throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    const bus = this.bus(scope, input.eventBusName);
    const patternText =
      input.eventPattern === undefined || typeof input.eventPattern === 'string'
        ? (input.eventPattern as string | undefined)
        : JSON.stringify(input.eventPattern);
    let matcher: EventPatternMatcher | undefined;
    try {
      matcher = patternText === undefined ? undefined : compilePattern(patternText);
    } catch (err) {
      if (err instanceof InvalidEventPatternError)
        throw new AwsError('InvalidEventPatternException', err.message);
      throw err;
    }
    const prefix = bus.name === 'default' ? '' : `${bus.name}/`;
    const rule: StoredRule = {
      name: input.name,
      arn: `arn:aws:events:${scope.region}:${scope.accountId}:rule/${prefix}${input.name}`,
      eventBusName: bus.name,
      accountId: scope.accountId,
      region: scope.region,
      state: input.state ?? 'ENABLED',
      eventPattern: patternText,
      scheduleExpression: input.scheduleExpression,
      description: input.description,
      roleArn: input.roleArn,
      matcher,
      // PutRule on an existing rule updates it and keeps its targets.
      targets: bus.rules.get(input.name)?.targets ?? new Map(),
    };
    bus.rules.set(input.name, rule);
    return rule;
  }

  /** The rule, or ResourceNotFoundException worded as EventBridge words it. */
  rule(scope: EventsScope, name: string, eventBusName?: string): StoredRule {
    const bus = this.bus(scope, eventBusName);
    const rule = bus.rules.get(name);
    if (!rule)
      throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  /** EnableRule / DisableRule. */
  setRuleState(scope: EventsScope, name: string, state: RuleState, eventBusName?: string): void {
    const rule = this.rule(scope, name, eventBusName);
    this.bus(scope, eventBusName).rules.set(name, { ...rule, state });
  }

  /** Rules of a bus whose names start with `prefix`, in name order. */
  listRules(scope: EventsScope, eventBusName?: string, prefix = ''): StoredRule[] {
    return [...this.bus(scope, eventBusName).rules.values()]
      .filter((rule) => rule.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Deleting a rule that does not exist succeeds, as in EventBridge; one with targets does not. */
  deleteRule(scope: EventsScope, name: string, eventBusName?: string): void {
    const bus = this.bus(scope, eventBusName);
    const rule = bus.rules.get(name);
    if (!rule) return;
    if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
    bus.rules.delete(name);
  }

  /** PutTargets: add or replace targets by Id, at most five per rule. */
  putTargets(
    scope: EventsScope,
    ruleName: string,
    targets: readonly EventTarget[],
    eventBusName?: string,
  ): void {
    if (targets.length === 0 || targets.length > 10) {
      throw validation('Member must have length between 1 and 10 (Targets).');
    }
    const rule = this.rule(scope, ruleName, eventBusName);
    for (const target of targets) validateTarget(target);
    const ids = new Set([...rule.targets.keys(), ...targets.map((t) => t.id)]);
    if (ids.size > MAX_TARGETS_PER_RULE) {
      throw new AwsError(
        'LimitExceededException',
        'The requested resource exceeds the maximum number allowed.',
      );
    }
    for (const target of targets) rule.targets.set(target.id, { ...target });
  }

  /** RemoveTargets: ids the rule does not have are ignored. */
  removeTargets(scope: EventsScope, ruleName: string, ids: readonly string[], eventBusName?: string): void {
    const rule = this.rule(scope, ruleName, eventBusName);
    for (const id of ids) rule.targets.delete(id);
  }

  /** The enabled rules of `eventBusName` whose pattern matches the event. */
  matchingRules(scope: EventsScope, eventBusName: string, event: EventEnvelope): RuleView[] {
    return [...this.bus(scope, eventBusName).rules.values()]
      .filter((rule) => rule.state !== 'DISABLED' && rule.matcher?.(event) === true)
      .map(ruleView);
  }

  private busesOf(scope: EventsScope): Map<string, StoredBus> {
    let buses = this.accounts.get(scope.accountId);
    if (!buses) {
      buses = new Map();
      this.accounts.set(scope.accountId, buses);
    }
    return buses;
  }

  private addBus(scope: EventsScope, name: string, description?: string): StoredBus {
    const bus: StoredBus = {
      name,
      arn: `arn:aws:events:${scope.region}:${scope.accountId}:event-bus/${name}`,
      description,
      createdAt: new Date(),
      rules: new Map(),
      policy: new Map(),
    };
    this.busesOf(scope).set(`${scope.region}/${name}`, bus);
    return bus;
  }
}

/** A read-only snapshot of a stored rule. */
export function ruleView(rule: StoredRule): RuleView {
  const { matcher: _matcher, roleArn: _roleArn, targets, ...view } = rule;
  return { ...view, targets: [...targets.values()] };
}

export type { StoredRule };
