import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, aws_dynamodb as dynamodb, Stack } from 'aws-cdk-lib';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { UNDO } from '#shared/undo/plan.ts';
import type { StateMachineDefinition } from '#statemachines/playbook.ts';
import { playbooks } from '#statemachines/registry.ts';
import { undoPlaybook } from '#statemachines/undo.ts';
import { RunbookError, runbookOf } from '../runbook/model.ts';
import { runbookHtml, runbookMarkdown } from '../runbook/render.ts';
import type { Output } from './policy.ts';

/** Options of `remediate runbook`. */
export interface RunbookOptions {
  readonly format: 'md' | 'html';
  readonly policy: string;
  /** Write one file per playbook into this folder instead of printing. */
  readonly out?: string;
}

/** The runbook pages of `names` (every playbook when empty), by playbook name. */
export function renderRunbooks(names: readonly string[], options: RunbookOptions): Map<string, string> {
  const policy = loadPolicyFile(options.policy);
  const known = [...playbooks.map((p) => p.name), UNDO];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new RunbookError(`unknown playbook ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const all = [...playbooks, undoForRunbook()];
  const chosen = names.length ? all.filter((p) => names.includes(p.name)) : all;
  const render = options.format === 'html' ? runbookHtml : runbookMarkdown;
  return new Map(chosen.map((p) => [p.name, render(runbookOf(p, policy))]));
}

/**
 * Undo as the stack builds it, with a follow-up to stop (so its runbook covers that step too);
 * only its states are read, nothing is deployed.
 */
function undoForRunbook(): StateMachineDefinition {
  const approvals = dynamodb.Table.fromTableName(
    new Stack(new App(), 'RunbookApprovals'),
    'Approvals',
    'approvals',
  );
  return undoPlaybook({ mode: 'approve', undoable: [], approvals });
}

/** `remediate runbook [PLAYBOOK...]`: print the runbooks, or write them with `--out DIR`. */
export function runbook(names: readonly string[], options: RunbookOptions, out: Output): void {
  for (const [name, page] of renderRunbooks(names, options)) {
    if (!options.out) {
      out.log(page);
      continue;
    }
    const file = join(options.out, `${name}.${options.format}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, page);
    out.log(`wrote ${file}`);
  }
}
