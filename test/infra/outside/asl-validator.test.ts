import validator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { resolvedStacks, stateMachineDefinitions } from './assemblies.ts';

/**
 * Every state machine definition of both modes, as CloudFormation would hand it to Step Functions,
 * checked by asl-validator: a reading of the Amazon States Language that is not ours.
 */
const definitions = stateMachineDefinitions(resolvedStacks());

describe('Amazon States Language (asl-validator)', () => {
  it('finds the state machines of both modes', () => {
    expect(definitions.some((d) => d.label.startsWith('single/'))).toBe(true);
    expect(definitions.some((d) => d.label.startsWith('organization/'))).toBe(true);
  });

  it.each(definitions.map((d) => [d.label, d] as const))('%s is valid', (_label, { definition }) => {
    const result = validator(structuredClone(definition) as never);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });
});
