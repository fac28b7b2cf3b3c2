import { type EvaluationKind, rewriteContextPaths } from './context-object.ts';
import { parseTaskResource, type TaskResource } from './task-resources.ts';
import type { JsonObject, JsonValue, MachineDefinition, StateDefinition } from './types.ts';

/** A Task state as its handler needs it. */
export interface TaskStateInfo {
  readonly name: string;
  /** Undefined when the sandbox does not serve the state's resource. */
  readonly resource: TaskResource | undefined;
  readonly resourceArn: string;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
}

/** Every state of a definition, branches and item processors included (names are machine-wide unique). */
export function collectStates(definition: MachineDefinition): Map<string, StateDefinition> {
  const states = new Map<string, StateDefinition>();
  const visit = (machine: MachineDefinition) => {
    for (const [name, state] of Object.entries(machine.States)) {
      states.set(name, state);
      for (const branch of (state.Branches as MachineDefinition[] | undefined) ?? []) visit(branch);
      const processor = (state.ItemProcessor ?? state.Iterator) as MachineDefinition | undefined;
      if (processor) visit(processor);
    }
  };
  visit(definition);
  return states;
}

/** The Task states of a definition, with their parsed resources. */
export function collectTasks(definition: MachineDefinition): Map<string, TaskStateInfo> {
  const tasks = new Map<string, TaskStateInfo>();
  for (const [name, state] of collectStates(definition)) {
    if (state.Type !== 'Task') continue;
    const resourceArn = String(state.Resource);
    tasks.set(name, {
      name,
      resource: parseTaskResource(resourceArn),
      resourceArn,
      timeoutSeconds: state.TimeoutSeconds as number | undefined,
      heartbeatSeconds: state.HeartbeatSeconds as number | undefined,
    });
  }
  return tasks;
}

/** The members a Task's Parameters are wrapped in, so one evaluation yields all its dynamic fields. */
const ENVELOPE = {
  parameters: 'SandboxParameters',
  credentials: 'SandboxCredentials',
  heartbeat: 'SandboxHeartbeat',
};

/** What a Task handler receives, unwrapped. */
export interface TaskInput {
  readonly parameters: JsonValue;
  readonly credentials?: { RoleArn?: string };
  readonly heartbeatSeconds?: number;
}

/** Unwrap the input the library hands a Task handler. */
export function unwrapTaskInput(input: JsonValue): TaskInput {
  const envelope = (input ?? {}) as JsonObject;
  return {
    parameters: envelope[ENVELOPE.parameters] ?? null,
    credentials: envelope[ENVELOPE.credentials] as TaskInput['credentials'],
    heartbeatSeconds: envelope[ENVELOPE.heartbeat] as number | undefined,
  };
}

/** What the prepared definition calls while the library runs it. */
export interface RunHooks {
  enter(stateName: string): void;
  evaluate(stateName: string, kind: EvaluationKind): void;
}

/** How the prepared definition bends time. */
export interface TimeOptions {
  /** Multiplies Retry intervals and Wait durations. */
  readonly timeScale: number;
  /** Multiplies TimeoutSeconds and HeartbeatSeconds of `.waitForTaskToken` tasks. */
  readonly callbackTimeScale: number;
}

/** setTimeout's ceiling (2^31 - 1 ms): the stand-in for "no timeout" in the library's task timer. */
const NO_TIMEOUT_SECONDS = 2_147_483;
const NESTED = new Set(['Branches', 'ItemProcessor', 'Iterator', 'Result']);

/**
 * The definition the library runs for one execution: the same states, with
 * - hooks on `States` (entering a state) and on Parameters / ItemSelector / ResultSelector
 *   (evaluating them), so the context object is right for each evaluation;
 * - a Task's Parameters, Credentials and HeartbeatSecondsPath wrapped into one template;
 * - a Task without TimeoutSeconds given no timeout: the library would default to 60 s, Step
 *   Functions has none (the execution's own timeout bounds it);
 * - Retry intervals scaled by `timeScale`, callback task timeouts by `callbackTimeScale`.
 * It is not validated again (getters would fire); the original was validated at registration.
 */
export function prepareRunDefinition(
  definition: MachineDefinition,
  tasks: ReadonlyMap<string, TaskStateInfo>,
  hooks: RunHooks,
  time: TimeOptions,
): MachineDefinition {
  const prepareMachine = (machine: MachineDefinition): MachineDefinition => {
    const states: Record<string, StateDefinition> = {};
    for (const [name, state] of Object.entries(machine.States)) {
      const prepared = prepareState(name, state);
      Object.defineProperty(states, name, {
        enumerable: true,
        get: () => {
          hooks.enter(name);
          return prepared;
        },
      });
    }
    return { ...machine, States: states };
  };

  const prepareState = (name: string, original: StateDefinition): StateDefinition => {
    const state = Object.fromEntries(
      Object.entries(original).map(([field, value]) => [
        field,
        NESTED.has(field) ? value : rewritePaths(value, field),
      ]),
    ) as StateDefinition;
    if (Array.isArray(original.Branches))
      state.Branches = (original.Branches as MachineDefinition[]).map(prepareMachine);
    if (original.ItemProcessor)
      state.ItemProcessor = prepareMachine(original.ItemProcessor as MachineDefinition);
    if (original.Iterator) state.Iterator = prepareMachine(original.Iterator as MachineDefinition);
    if (Array.isArray(state.Retry))
      state.Retry = state.Retry.map((retrier) => scaleRetrier(retrier, time.timeScale));
    if (state.Type === 'Choice' && Array.isArray(state.Choices))
      state.Choices = (state.Choices as JsonObject[]).map(rewriteIsPresentFalse);
    const task = tasks.get(name);
    if (state.Type === 'Task' && task) prepareTask(name, state, task);
    else {
      for (const field of ['Parameters', 'ItemSelector'])
        hookTemplate(state, field, () => hooks.evaluate(name, 'same'));
    }
    hookTemplate(state, 'ResultSelector', () => hooks.evaluate(name, 'same'));
    return state;
  };

  const prepareTask = (name: string, state: StateDefinition, task: TaskStateInfo) => {
    const callback = task.resource?.waitForTaskToken === true;
    const envelope: JsonObject = {};
    if (state.Parameters !== undefined) envelope[ENVELOPE.parameters] = state.Parameters as JsonValue;
    else envelope[`${ENVELOPE.parameters}.$`] = '$';
    if (state.Credentials !== undefined) envelope[ENVELOPE.credentials] = state.Credentials as JsonValue;
    if (typeof state.HeartbeatSecondsPath === 'string')
      envelope[`${ENVELOPE.heartbeat}.$`] = state.HeartbeatSecondsPath;
    for (const field of ['Credentials', 'HeartbeatSeconds', 'HeartbeatSecondsPath']) delete state[field];
    state.Parameters = envelope;
    hookTemplate(state, 'Parameters', () => hooks.evaluate(name, callback ? 'callback-attempt' : 'attempt'));
    if (typeof state.TimeoutSeconds === 'number' && callback) {
      state.TimeoutSeconds = state.TimeoutSeconds * time.callbackTimeScale;
    } else if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = NO_TIMEOUT_SECONDS;
    }
  };

  return prepareMachine(definition);
}

/**
 * Wait durations for the library's `waitTimeOverrides` option, scaled by `timeScale`. Each is a
 * getter, read when the Wait state runs, so a `Timestamp` wait measures from that moment. Waits
 * on `SecondsPath` / `TimestampPath` depend on the state's input and run unscaled.
 */
export function scaledWaitOverrides(
  definition: MachineDefinition,
  timeScale: number,
): Record<string, number> {
  const overrides: Record<string, number> = {};
  if (timeScale === 1) return overrides;
  for (const [name, state] of collectStates(definition)) {
    if (state.Type !== 'Wait') continue;
    const { Seconds: seconds, Timestamp: timestamp } = state as { Seconds?: number; Timestamp?: string };
    if (typeof seconds === 'number') overrides[name] = seconds * 1000 * timeScale;
    else if (typeof timestamp === 'string') {
      Object.defineProperty(overrides, name, {
        enumerable: true,
        get: () => Math.max(0, Date.parse(timestamp) - Date.now()) * timeScale,
      });
    }
  }
  return overrides;
}

function scaleRetrier(retrier: Record<string, unknown>, timeScale: number): Record<string, unknown> {
  if (timeScale === 1) return retrier;
  const scaled: Record<string, unknown> = {
    ...retrier,
    IntervalSeconds: ((retrier.IntervalSeconds as number | undefined) ?? 1) * timeScale,
  };
  if (typeof retrier.MaxDelaySeconds === 'number')
    scaled.MaxDelaySeconds = retrier.MaxDelaySeconds * timeScale;
  return scaled;
}

/** Replace a template field by a getter that runs `before` each time the library reads it. */
function hookTemplate(state: StateDefinition, field: string, before: () => void): void {
  if (state[field] === undefined) return;
  const template = state[field];
  Object.defineProperty(state, field, {
    enumerable: true,
    configurable: true,
    get: () => {
      before();
      return template;
    },
  });
}

/** A copy of a state field with context paths rewritten wherever a path can appear. */
function rewritePaths(value: unknown, key: string): unknown {
  if (typeof value === 'string') {
    return key.endsWith('.$') || key.endsWith('Path') || key === 'Variable'
      ? rewriteContextPaths(value)
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => rewritePaths(item, key));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewritePaths(v, k)]));
}

/**
 * aws-local-stepfunctions 3.0.0 evaluates `IsPresent: false` as always false. Step Functions
 * matches it when the path is absent, so the rule is rewritten to the equivalent
 * `Not: { IsPresent: true }`, at any depth of And/Or/Not.
 */
export function rewriteIsPresentFalse(rule: JsonObject): JsonObject {
  const { Next, ...test } = rule;
  const rewritten = rewriteTest(test);
  return Next === undefined ? rewritten : { ...rewritten, Next };
}

function rewriteTest(test: JsonObject): JsonObject {
  if (test.IsPresent === false) {
    const { IsPresent: _, ...rest } = test;
    return { Not: { ...rest, IsPresent: true } };
  }
  if (Array.isArray(test.And)) return { ...test, And: (test.And as JsonObject[]).map(rewriteTest) };
  if (Array.isArray(test.Or)) return { ...test, Or: (test.Or as JsonObject[]).map(rewriteTest) };
  if (test.Not && typeof test.Not === 'object') return { ...test, Not: rewriteTest(test.Not as JsonObject) };
  return test;
}
