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
/** Fields holding state machines of their own, prepared (and hooked) as machines. */
const NESTED_MACHINES = new Set(['Branches', 'ItemProcessor', 'Iterator']);

/** A state rewritten once per machine; what differs between executions is only its hooks. */
interface PreparedState {
  readonly name: string;
  /** The rewritten state, without hooks and without its nested machines. */
  readonly state: StateDefinition;
  /** The template fields to hook, and how their evaluation moves the context object. */
  readonly hooks: readonly { readonly field: string; readonly kind: EvaluationKind }[];
  readonly branches?: readonly PreparedMachine[];
  readonly itemProcessor?: PreparedMachine;
  readonly iterator?: PreparedMachine;
}

interface PreparedMachine {
  /** The machine's fields but `States`. */
  readonly machine: MachineDefinition;
  readonly states: readonly PreparedState[];
}

/**
 * Each definition is rewritten once per time scale, not at every execution: the rewriting walks
 * every field of every state, and a thousand executions held a thousand copies. The library
 * reads the definition without changing it, so executions share the rewritten states and each
 * adds only its own hooks. Keyed by the parsed definition, which lives as long as its machine.
 */
const prepared = new WeakMap<MachineDefinition, Map<string, PreparedMachine>>();

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
  const key = `${time.timeScale}/${time.callbackTimeScale}`;
  let byTime = prepared.get(definition);
  if (!byTime) {
    byTime = new Map();
    prepared.set(definition, byTime);
  }
  let machine = byTime.get(key);
  if (!machine) {
    machine = prepareMachine(definition, tasks, time);
    byTime.set(key, machine);
  }
  return withHooks(machine, hooks);
}

/** One execution's view of a prepared machine: its own getters over the shared states. */
function withHooks(machine: PreparedMachine, hooks: RunHooks): MachineDefinition {
  const states: Record<string, StateDefinition> = {};
  for (const prepared of machine.states) {
    let state: StateDefinition | undefined;
    Object.defineProperty(states, prepared.name, {
      enumerable: true,
      get: () => {
        hooks.enter(prepared.name);
        state ??= stateWithHooks(prepared, hooks);
        return state;
      },
    });
  }
  return { ...machine.machine, States: states };
}

function stateWithHooks(prepared: PreparedState, hooks: RunHooks): StateDefinition {
  const state: StateDefinition = { ...prepared.state };
  if (prepared.branches) state.Branches = prepared.branches.map((branch) => withHooks(branch, hooks));
  if (prepared.itemProcessor) state.ItemProcessor = withHooks(prepared.itemProcessor, hooks);
  if (prepared.iterator) state.Iterator = withHooks(prepared.iterator, hooks);
  for (const { field, kind } of prepared.hooks)
    hookTemplate(state, field, () => hooks.evaluate(prepared.name, kind));
  return state;
}

function prepareMachine(
  machine: MachineDefinition,
  tasks: ReadonlyMap<string, TaskStateInfo>,
  time: TimeOptions,
): PreparedMachine {
  const { States: _states, ...rest } = machine;
  return {
    machine: rest as MachineDefinition,
    states: Object.entries(machine.States).map(([name, state]) => prepareState(name, state, tasks, time)),
  };
}

function prepareState(
  name: string,
  original: StateDefinition,
  tasks: ReadonlyMap<string, TaskStateInfo>,
  time: TimeOptions,
): PreparedState {
  const state = Object.fromEntries(
    Object.entries(original)
      .filter(([field]) => !NESTED_MACHINES.has(field))
      .map(([field, value]) => [field, NESTED.has(field) ? value : rewritePaths(value, field)]),
  ) as StateDefinition;
  const nested = (field: string) => original[field] as MachineDefinition | undefined;
  if (Array.isArray(state.Retry))
    state.Retry = state.Retry.map((retrier) => scaleRetrier(retrier, time.timeScale));
  if (state.Type === 'Choice' && Array.isArray(state.Choices))
    state.Choices = (state.Choices as JsonObject[]).map(rewriteIsPresentFalse);
  const hooks: { field: string; kind: EvaluationKind }[] = [];
  const task = tasks.get(name);
  if (state.Type === 'Task' && task) {
    prepareTask(state, task, time);
    hooks.push({
      field: 'Parameters',
      kind: task.resource?.waitForTaskToken ? 'callback-attempt' : 'attempt',
    });
  } else {
    for (const field of ['Parameters', 'ItemSelector'])
      if (state[field] !== undefined) hooks.push({ field, kind: 'same' });
  }
  if (state.ResultSelector !== undefined) hooks.push({ field: 'ResultSelector', kind: 'same' });
  return {
    name,
    state,
    hooks,
    ...(Array.isArray(original.Branches) && {
      branches: (original.Branches as MachineDefinition[]).map((branch) =>
        prepareMachine(branch, tasks, time),
      ),
    }),
    ...(nested('ItemProcessor') && {
      itemProcessor: prepareMachine(nested('ItemProcessor') as MachineDefinition, tasks, time),
    }),
    ...(nested('Iterator') && {
      iterator: prepareMachine(nested('Iterator') as MachineDefinition, tasks, time),
    }),
  };
}

function prepareTask(state: StateDefinition, task: TaskStateInfo, time: TimeOptions): void {
  const callback = task.resource?.waitForTaskToken === true;
  const envelope: JsonObject = {};
  if (state.Parameters !== undefined) envelope[ENVELOPE.parameters] = state.Parameters as JsonValue;
  else envelope[`${ENVELOPE.parameters}.$`] = '$';
  if (state.Credentials !== undefined) envelope[ENVELOPE.credentials] = state.Credentials as JsonValue;
  if (typeof state.HeartbeatSecondsPath === 'string')
    envelope[`${ENVELOPE.heartbeat}.$`] = state.HeartbeatSecondsPath;
  for (const field of ['Credentials', 'HeartbeatSeconds', 'HeartbeatSecondsPath']) delete state[field];
  state.Parameters = envelope;
  if (typeof state.TimeoutSeconds === 'number' && callback) {
    state.TimeoutSeconds = state.TimeoutSeconds * time.callbackTimeScale;
  } else if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
    state.TimeoutSeconds = NO_TIMEOUT_SECONDS;
  }
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
