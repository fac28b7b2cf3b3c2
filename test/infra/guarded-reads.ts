/**
 * Static check that a state machine never reads a list element (`$.x[0].y`) that may be missing.
 * A JSONPath that matches nothing fails the state with `States.Runtime`, which `States.ALL`
 * catchers do not catch, so the execution ends without its needs-human record. A read is guarded
 * when on every way into the state an `IsPresent` Choice (or the failed `Not IsPresent` of an
 * earlier rule) has asserted the whole path, or, in a ResultSelector, when the API guarantees the
 * element (listed with its reason by the caller).
 */

type Json = Record<string, unknown>;
type States = Record<string, Json>;

/** One unguarded read: where, and which path. */
export interface UnguardedRead {
  readonly state: string;
  readonly field: string;
  readonly path: string;
}

/** A ResultSelector read the API guarantees, for one SDK integration action. */
export interface GuaranteedRead {
  readonly resource: string;
  readonly path: string;
}

const INDEXED = /\[\d+\]/;

/** The state-data JSONPaths in a `.$` value: a path, or an intrinsic call's path arguments. */
export function pathsIn(value: string): string[] {
  const unquoted = value.replace(/'(?:\\.|[^'\\])*'/g, "''");
  return [...unquoted.matchAll(/(?<![$\w])\$(?:\.[\w:-]+|\[\d+\])*/g)]
    .map((m) => m[0])
    .filter((p) => p !== '$');
}

/** Every `.$` path of a Parameters-like object, with the key that holds it. */
function selectorPaths(selector: unknown, prefix = ''): { field: string; path: string }[] {
  if (Array.isArray(selector)) return selector.flatMap((v, i) => selectorPaths(v, `${prefix}[${i}]`));
  if (!selector || typeof selector !== 'object') return [];
  return Object.entries(selector as Json).flatMap(([key, value]) =>
    key.endsWith('.$') && typeof value === 'string'
      ? pathsIn(value).map((path) => ({ field: `${prefix}${key}`, path }))
      : selectorPaths(value, `${prefix}${key}.`),
  );
}

/** Whether `asserted` being present means `read` is present: `read` is `asserted` or one of its prefixes. */
const covers = (asserted: string, read: string) =>
  asserted === read || asserted.startsWith(`${read}.`) || asserted.startsWith(`${read}[`);

/** The paths a Choice rule asserts present when it evaluates to `truth`. */
function implied(rule: Json, truth: boolean): string[] {
  if (typeof rule.IsPresent === 'boolean') return rule.IsPresent === truth ? [rule.Variable as string] : [];
  if (rule.Not) return implied(rule.Not as Json, !truth);
  // And true: every operand true; Or false: every operand false.
  if (rule.And && truth) return (rule.And as Json[]).flatMap((r) => implied(r, true));
  if (rule.Or && !truth) return (rule.Or as Json[]).flatMap((r) => implied(r, false));
  return [];
}

/** The data paths a Choice rule compares (IsPresent tests read nothing). */
function comparedPaths(rule: Json): string[] {
  const nested = ['And', 'Or'].flatMap((k) => ((rule[k] as Json[]) ?? []).flatMap(comparedPaths));
  if (rule.Not) nested.push(...comparedPaths(rule.Not as Json));
  if (typeof rule.Variable !== 'string' || 'IsPresent' in rule) return nested;
  const pathOperands = Object.entries(rule)
    .filter(([k, v]) => k.endsWith('Path') && typeof v === 'string')
    .map(([, v]) => v as string);
  return [rule.Variable, ...pathOperands, ...nested];
}

/** The paths asserted present on each edge into each state of one scope (a machine, a Map, a branch). */
function edgesInto(states: States): Map<string, { from: string; facts: string[] }[]> {
  const edges = new Map<string, { from: string; facts: string[] }[]>();
  const add = (to: string | undefined, from: string, facts: string[]) => {
    if (to) edges.set(to, [...(edges.get(to) ?? []), { from, facts }]);
  };
  for (const [name, state] of Object.entries(states)) {
    add(state.Next as string | undefined, name, []);
    for (const c of (state.Catch as Json[]) ?? []) add(c.Next as string, name, []);
    const rules = (state.Choices as Json[]) ?? [];
    rules.forEach((rule, i) => {
      const earlierFalse = rules.slice(0, i).flatMap((r) => implied(r, false));
      add(rule.Next as string, name, [...earlierFalse, ...implied(rule, true)]);
    });
    if (state.Type === 'Choice')
      add(
        state.Default as string | undefined,
        name,
        rules.flatMap((r) => implied(r, false)),
      );
  }
  return edges;
}

/** Whether `path` is asserted on every way into `state` (loops are assumed to keep what held). */
function guardedAt(
  edges: Map<string, { from: string; facts: string[] }[]>,
  state: string,
  path: string,
  visiting = new Set<string>(),
): boolean {
  if (visiting.has(state)) return true;
  const into = edges.get(state) ?? [];
  if (into.length === 0) return false;
  const next = new Set(visiting).add(state);
  return into.every(
    ({ from, facts }) => facts.some((f) => covers(f, path)) || guardedAt(edges, from, path, next),
  );
}

/** Every read of a list element that is neither guarded nor guaranteed, in every scope of a definition. */
export function unguardedReads(
  definition: { States: States },
  guaranteed: readonly GuaranteedRead[],
): UnguardedRead[] {
  const out: UnguardedRead[] = [];
  const visit = (states: States) => {
    const edges = edgesInto(states);
    for (const [name, state] of Object.entries(states)) {
      const flag = (field: string, path: string) => {
        if (INDEXED.test(path) && !guardedAt(edges, name, path)) out.push({ state: name, field, path });
      };
      for (const key of ['Parameters', 'ItemSelector'] as const)
        for (const { field, path } of selectorPaths(state[key])) flag(`${key}.${field}`, path);
      for (const key of ['InputPath', 'ItemsPath', 'OutputPath'] as const)
        if (typeof state[key] === 'string') flag(key, state[key] as string);
      // ResultSelector reads the API's response: only the API can guarantee an element there. A
      // Parallel's output has exactly one element per branch, in branch order
      // (https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html).
      const branchCount = ((state.Branches as unknown[] | undefined) ?? []).length;
      const branchOutput = (path: string) => {
        const index = /^\$\[(\d+)\]/.exec(path)?.[1];
        return (
          index !== undefined && Number(index) < branchCount && !INDEXED.test(path.replace(/^\$\[\d+\]/, '$'))
        );
      };
      for (const { field, path } of selectorPaths(state.ResultSelector)) {
        const promised =
          branchOutput(path) || guaranteed.some((g) => g.resource === state.Resource && g.path === path);
        if (INDEXED.test(path) && !promised)
          out.push({ state: name, field: `ResultSelector.${field}`, path });
      }
      const rules = (state.Choices as Json[]) ?? [];
      rules.forEach((rule, i) => {
        const earlierFalse = rules.slice(0, i).flatMap((r) => implied(r, false));
        for (const path of comparedPaths(rule)) {
          if (!INDEXED.test(path) || earlierFalse.some((f) => covers(f, path))) continue;
          flag(`Choices[${i}]`, path);
        }
      });
      for (const key of ['Iterator', 'ItemProcessor'] as const) {
        const inner = state[key] as { States?: States } | undefined;
        if (inner?.States) visit(inner.States);
      }
      for (const branch of (state.Branches as { States: States }[]) ?? []) visit(branch.States);
    }
  };
  visit(definition.States);
  return out;
}
