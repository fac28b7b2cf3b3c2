import { App, Stack, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { flagChoice } from '#statemachines/quarantine-instance/flag-choice.ts';

type State = {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { And: { Variable: string; BooleanEquals: boolean }[]; Next: string }[];
};

/** The one choice over three parts, each a Pass named after its part, rendered as ASL states. */
function rendered(): { start: string; states: Record<string, State> } {
  const scope = new Stack(new App(), 'Test');
  const part = (label: string) => ({
    flag: `$.changes.${label}`,
    label,
    build: (suffix: string) => sfn.Chain.start(new sfn.Pass(scope, `${label}${suffix}`)),
  });
  const choice = flagChoice(
    scope,
    'What to do?',
    ['role', 'profile', 'evidence'].map(part),
    new sfn.Succeed(scope, 'Next'),
  );
  const graph = new sfn.StateGraph(choice, 'test').toGraphJson() as {
    StartAt: string;
    States: Record<string, State>;
  };
  return { start: graph.StartAt, states: graph.States };
}

/** The parts a run with these flags enters, in order, walking the definition as Step Functions would. */
function partsRun(states: Record<string, State>, start: string, flags: Record<string, boolean>): string[] {
  const visited: string[] = [];
  let name: string | undefined = start;
  while (name && name !== 'Next') {
    const state: State | undefined = states[name];
    if (state?.Type === 'Choice') {
      const rule: { Next: string } | undefined = state.Choices?.find((r) =>
        r.And.every((c) => flags[c.Variable.replace('$.changes.', '')] === c.BooleanEquals),
      );
      name = rule ? rule.Next : state.Default;
    } else {
      visited.push(name.replace(/ \(next: .*\)$/, ''));
      name = state?.Next;
    }
  }
  return visited;
}

describe('flagChoice: one choice over several conditional parts', () => {
  const { start, states } = rendered();
  const labels = ['role', 'profile', 'evidence'];

  it.each(Array.from({ length: 8 }, (_, mask) => mask))(
    'runs exactly the flagged parts, in order (flags %i)',
    (mask) => {
      const flags = Object.fromEntries(labels.map((l, i) => [l, (mask & (1 << i)) !== 0]));
      expect(partsRun(states, start, flags)).toEqual(labels.filter((l) => flags[l]));
    },
  );

  it('enters one choice whatever the flags, and names the full run’s copies as the parts themselves', () => {
    expect(Object.values(states).filter((s) => s.Type === 'Choice')).toHaveLength(1);
    expect(states[start]?.Choices?.[0]?.Next).toBe('role');
    // Each part copied once per set of later parts it goes on to: 4 + 2 + 1.
    expect(Object.keys(states).filter((n) => n !== 'Next' && n !== start)).toHaveLength(7);
  });
});
