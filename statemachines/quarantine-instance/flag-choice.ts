import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** A conditional part of a run: the boolean that says whether it runs, and how to build a copy of it. */
export interface FlaggedPart {
  /** JSONPath of a boolean present on every run. */
  readonly flag: string;
  /** Names the part in the names of other parts' copies, e.g. `profile`. */
  readonly label: string;
  /**
   * A fresh copy of the part, its state names ending in `suffix` ('' for the copy followed by
   * every later part, the full run's): each copy goes on to a different next state.
   */
  readonly build: (suffix: string) => sfn.Chain;
}

/**
 * One Choice `id` over several conditional parts run in order, instead of one Choice per part:
 * each combination of flags goes straight to a chain of exactly the parts it runs, then `next`.
 * A part is built once per set of later parts it is followed by (copies of a few states), so a run
 * enters one Choice however many parts there are (Standard workflows bill each state entered:
 * https://aws.amazon.com/step-functions/pricing/). The first rule is the one running every part.
 */
export function flagChoice(
  scope: Construct,
  id: string,
  parts: readonly FlaggedPart[],
  next: sfn.IChainable,
) {
  const built = new Map<string, sfn.IChainable>();
  /** The chain running the parts of `on` (indexes, ascending), then `next`. */
  const chainOf = (on: readonly number[]): sfn.IChainable => {
    const [first, ...later] = on;
    if (first === undefined) return next;
    const key = on.join(',');
    const existing = built.get(key);
    if (existing) return existing;
    const allLater = later.length === parts.length - first - 1;
    const suffix = allLater ? '' : ` (next: ${later.map((i) => parts[i]?.label).join(', ') || 'none'})`;
    const part = parts[first] as FlaggedPart;
    const chain = part.build(suffix);
    chain.next(chainOf(later));
    built.set(key, chain);
    return chain;
  };
  const choice = new sfn.Choice(scope, id);
  // Every combination but none, the fullest first: 2^n - 1 rules, each exact on every flag.
  for (let mask = 2 ** parts.length - 1; mask > 0; mask--) {
    const on = parts.map((_, i) => i).filter((i) => mask & (1 << (parts.length - 1 - i)));
    const conditions = parts.map((p, i) => sfn.Condition.booleanEquals(p.flag, on.includes(i)));
    choice.when(sfn.Condition.and(...conditions), chainOf(on));
  }
  return choice.otherwise(next);
}
