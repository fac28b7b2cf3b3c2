import { Command } from 'commander';
import { LOCAL_HELP } from '../connection.ts';

/** `remediate undo EXECUTION_ARN`; its action loads cli/commands/undo.ts (and the SDK) when it runs. */
export function undoCommand(): Command {
  return new Command('undo')
    .description(
      'Reverse what one playbook execution changed, from its audit trail (the policy decides whether it waits for approval)',
    )
    .argument('<execution-arn>', 'the playbook execution to undo')
    .option('--dry-run', 'record the undo plan only; change nothing')
    .option('--wait', 'wait for the undo to end (approval included) and print its outcome')
    .option('--local', LOCAL_HELP)
    .option('--state-machine <arn>', 'the undo state machine (default: found by listing state machines)')
    .option('--json', 'print JSON')
    .action(async (executionArn: string, opts) => {
      const { undoAction } = await import('../commands/undo.ts');
      await undoAction(executionArn, opts);
    });
}
