import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { HistoryEvent } from './types.ts';

/** The fields of aws-local-stepfunctions' execution events that the history reads. */
export interface LibraryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input?: unknown;
    readonly output?: unknown;
  };
  readonly parentState?: { readonly name: string };
  readonly index?: number;
  readonly Error?: string;
  readonly Cause?: unknown;
  readonly output?: unknown;
}

interface PendingTaskEvent {
  readonly visit: number;
  readonly type: string;
  readonly details: Record<string, unknown>;
  readonly timestamp: Date;
}

const NOT_TRUNCATED = { truncated: false };

/** `TaskStateEntered` → `stateEnteredEventDetails`, `TaskFailed` → `taskFailedEventDetails`. */
function detailsMember(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

function text(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The execution history in GetExecutionHistory's terms. The library reports state-level events
 * (entered, exited, failed, iteration started ...) through an asynchronous log, read a little after
 * they happen; task handlers report task-level events (scheduled, started, succeeded ...) as they
 * happen. A task event is therefore held back until its visit's `StateEntered` has been read, so
 * the history is in causal order.
 */
export class ExecutionHistory {
  private live: HistoryEvent[] = [];
  /** The events of an ended execution, compressed (see {@link compact}). */
  private compacted?: Buffer;
  private readonly entered = new Map<string, number>();
  private readonly pending = new Map<string, PendingTaskEvent[]>();

  constructor(private readonly onEvent: (event: HistoryEvent) => void) {}

  /** Every event so far, oldest first. */
  get events(): readonly HistoryEvent[] {
    return this.compacted ? expand(this.compacted) : this.live;
  }

  /**
   * The execution has ended: keep its events compressed. Step Functions keeps an ended
   * execution's history for GetExecutionHistory, and most of it is the state's input and output
   * as JSON text at every transition (≈ 80 KB for a credential finding's 14 states), repeated
   * from state to state: held as they are, the histories were the larger part of what a thousand
   * findings left behind. Compressed, they take a tenth of that and read back the same.
   */
  compact(): void {
    if (this.compacted) return;
    this.compacted = deflateRawSync(JSON.stringify(this.live), { level: 1 });
    this.live = [];
    this.entered.clear();
    this.pending.clear();
  }

  /** Append an event now. */
  add(type: string, details?: Record<string, unknown>, timestamp = new Date()): void {
    if (this.compacted) {
      // Nothing is recorded after the end; should it be, the history opens again, whole.
      this.live = expand(this.compacted);
      this.compacted = undefined;
    }
    const id = this.live.length + 1;
    const event: HistoryEvent = {
      timestamp,
      type,
      id,
      previousEventId: id - 1,
      ...(details ? { [detailsMember(type)]: details } : {}),
    };
    this.live.push(event);
    this.onEvent(event);
  }

  /** A task event of visit `visit` of `stateName`, appended once that visit's entry is recorded. */
  addTaskEvent(stateName: string, visit: number, type: string, details: Record<string, unknown>): void {
    const event = { visit, type, details, timestamp: new Date() };
    if ((this.entered.get(stateName) ?? 0) >= visit) this.add(type, details, event.timestamp);
    else this.pending.set(stateName, [...(this.pending.get(stateName) ?? []), event]);
  }

  /** Translate one event of the library's log into AWS history events. */
  addLibraryEvent(event: LibraryEvent): void {
    const at = new Date(event.timestamp);
    const state = event.state;
    switch (event.type) {
      case 'StateEntered': {
        if (!state) return;
        this.add(
          `${state.type}StateEntered`,
          { name: state.name, input: text(state.input), inputDetails: NOT_TRUNCATED },
          at,
        );
        if (state.type === 'Parallel') this.add('ParallelStateStarted', undefined, at);
        if (state.type === 'Map') this.add('MapStateStarted', { length: mapLength(state.input) }, at);
        this.entered.set(state.name, (this.entered.get(state.name) ?? 0) + 1);
        this.flush(state.name);
        return;
      }
      case 'StateExited': {
        if (!state) return;
        if (state.type === 'Parallel' || state.type === 'Map')
          this.add(`${state.type}StateSucceeded`, undefined, at);
        this.add(
          `${state.type}StateExited`,
          { name: state.name, output: text(state.output), outputDetails: NOT_TRUNCATED },
          at,
        );
        return;
      }
      case 'StateFailed':
        if (state?.type === 'Parallel' || state?.type === 'Map')
          this.add(`${state.type}StateFailed`, undefined, at);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.add(event.type, { name: event.parentState?.name, index: event.index }, at);
        return;
      case 'ExecutionSucceeded':
        this.add('ExecutionSucceeded', { output: text(event.output), outputDetails: NOT_TRUNCATED }, at);
        return;
      case 'ExecutionFailed':
        this.add('ExecutionFailed', { error: event.Error, cause: text(event.Cause) }, at);
        return;
      case 'ExecutionTimeout':
        this.add('ExecutionTimedOut', { error: 'States.Timeout', cause: 'The execution timed out' }, at);
        return;
      default:
        // ExecutionStarted/Aborted are recorded by the execution itself; retries, catches and
        // branch boundaries have no event of their own in AWS's history.
        return;
    }
  }

  private flush(stateName: string): void {
    const entered = this.entered.get(stateName) ?? 0;
    const waiting = this.pending.get(stateName) ?? [];
    const ready = waiting.filter((event) => event.visit <= entered);
    this.pending.set(
      stateName,
      waiting.filter((event) => event.visit > entered),
    );
    for (const event of ready) this.add(event.type, event.details, event.timestamp);
  }
}

/** Events compressed by {@link ExecutionHistory.compact}, as they were recorded. */
function expand(compacted: Buffer): HistoryEvent[] {
  const events = JSON.parse(inflateRawSync(compacted).toString('utf8')) as (HistoryEvent & {
    timestamp: string;
  })[];
  return events.map((event) => ({ ...event, timestamp: new Date(event.timestamp) }));
}

/** The item count a Map state starts with, when its input is the array itself. */
function mapLength(input: unknown): number | undefined {
  return Array.isArray(input) ? input.length : undefined;
}
