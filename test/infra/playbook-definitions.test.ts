import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { playbooks } from '#statemachines/registry.ts';
import { definitionOf, synthesizedTemplate } from './helpers.ts';

let template: Template;
beforeAll(() => {
  template = synthesizedTemplate();
}, 120_000);

/** The audit actions of a state machine whose record carries the finding's time (the latency metric). */
function containmentRecords(prefix: string): string[] {
  const { States } = definitionOf(template, prefix);
  return Object.values(States).flatMap((state) => {
    const payload = state.Parameters as { containment?: boolean; record?: { action?: string } } | undefined;
    return payload?.containment ? [payload.record?.action ?? '?'] : [];
  });
}

describe('each playbook measures containment latency from its own definition', () => {
  it.each(playbooks.map((p) => [p.name, p.containmentAction] as const))(
    '%s marks containment at %s and nowhere else',
    (name, action) => {
      const marked = containmentRecords(`Playbook${name.replaceAll('-', '')}StateMachine`);
      if (action === null) expect(marked).toEqual([]);
      else expect(new Set(marked)).toEqual(new Set([action]));
    },
  );
});
