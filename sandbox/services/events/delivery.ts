import { setTimeout as sleep } from 'node:timers/promises';
import { isoSeconds } from './envelope.ts';
import { targetPayload } from './input-transform.ts';
import type {
  DeadLetter,
  DeliverToTarget,
  DeliveryRecord,
  EventEnvelope,
  EventTarget,
  RuleView,
} from './model.ts';

/** How failed deliveries are retried. */
export interface RetryOptions {
  /**
   * Retries after a failed first attempt, for targets without their own RetryPolicy.
   * @default 2
   */
  retries?: number;
  /**
   * Upper bound on any target's retries: AWS retries for up to 24 hours (185 times), which a
   * sandbox run cannot wait for.
   * @default 5
   */
  maxRetries?: number;
  /**
   * Delay before the first retry; each further retry waits twice as long.
   * @default 10
   */
  baseDelayMs?: number;
}

type Listener<T> = (record: T) => void;

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Tell every listener; one that throws is reported as a warning and does not stop the others. */
function notify<T>(listeners: ReadonlySet<Listener<T>>, record: T): void {
  for (const listener of listeners) {
    try {
      listener(record);
    } catch (err) {
      process.emitWarning(asError(err), 'EventsListenerWarning');
    }
  }
}

/**
 * Delivers matched events to their targets asynchronously, as EventBridge does after PutEvents
 * has answered: each target is tried, retried with exponential backoff, and finally dead-lettered
 * with its error, so no accepted event is ever silently lost.
 */
export class EventDelivery {
  /** Deliveries that failed every attempt, oldest first. */
  readonly deadLetters: DeadLetter[] = [];
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly deliveredListeners = new Set<Listener<DeliveryRecord>>();
  private readonly deadLetterListeners = new Set<Listener<DeadLetter>>();
  private readonly retry: Required<RetryOptions>;

  constructor(
    private readonly deliver: DeliverToTarget,
    retry: RetryOptions = {},
  ) {
    this.retry = { retries: 2, maxRetries: 5, baseDelayMs: 10, ...retry };
  }

  /** Queue delivery of `event` to every target of every rule in `rules`. Returns at once. */
  dispatch(event: EventEnvelope, ingestedAt: Date, rules: readonly RuleView[]): void {
    for (const rule of rules) {
      for (const target of rule.targets) {
        // Counted now, so whenIdle() called right after PutEvents answers waits for it.
        this.pending++;
        setImmediate(() => {
          void this.deliverToTarget(rule, target, event, ingestedAt).finally(() => this.settle());
        });
      }
    }
  }

  /** Resolves when every dispatched delivery has succeeded or been dead-lettered. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Be told of each successful delivery. Returns an unsubscribe function. */
  onDelivered(listener: Listener<DeliveryRecord>): () => void {
    this.deliveredListeners.add(listener);
    return () => this.deliveredListeners.delete(listener);
  }

  /** Be told of each dead-lettered delivery. Returns an unsubscribe function. */
  onDeadLetter(listener: Listener<DeadLetter>): () => void {
    this.deadLetterListeners.add(listener);
    return () => this.deadLetterListeners.delete(listener);
  }

  private settle(): void {
    this.pending--;
    if (this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async deliverToTarget(
    rule: RuleView,
    target: EventTarget,
    event: EventEnvelope,
    ingestedAt: Date,
  ): Promise<void> {
    let payload: unknown;
    try {
      payload = targetPayload(target, {
        ruleName: rule.name,
        ruleArn: rule.arn,
        event,
        ingestionTime: isoSeconds(ingestedAt),
      });
    } catch (err) {
      // An input that cannot be built fails the same way on every retry.
      this.deadLetter({ rule, event, target, payload: undefined, attempts: 0, error: asError(err) });
      return;
    }
    const retries = Math.min(target.retryAttempts ?? this.retry.retries, this.retry.maxRetries);
    let lastError: Error = new Error('not attempted');
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      try {
        await this.deliver(target, payload, { rule, event });
        notify(this.deliveredListeners, { rule, event, target, payload, attempts: attempt });
        return;
      } catch (err) {
        lastError = asError(err);
        if (attempt <= retries) await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1));
      }
    }
    this.deadLetter({ rule, event, target, payload, attempts: retries + 1, error: lastError });
  }

  private deadLetter(letter: Omit<DeadLetter, 'at'>): void {
    const record: DeadLetter = { ...letter, at: new Date() };
    this.deadLetters.push(record);
    notify(this.deadLetterListeners, record);
  }
}
