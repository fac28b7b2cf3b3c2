import { Command, InvalidArgumentError, Option } from 'commander';
import { hasReason } from '#shared/approvals/reason.ts';
import { LOCAL_HELP } from '../connection.ts';

/** `--reason`: a decision's reason is part of its audit record, so an empty or blank one is refused. */
export function parseReason(text: string): string {
  if (!hasReason(text))
    throw new InvalidArgumentError('say why: the reason is recorded in the audit trail and cannot be empty');
  return text;
}

/**
 * `remediate approvals list|show|approve|deny`: on-call decisions, IAM-authenticated. Each action
 * loads cli/commands/approvals.ts (and the SDK) when it runs.
 */
export function approvalsCommand(): Command {
  const command = new Command('approvals').description(
    'List, show and decide pending approvals with your AWS credentials (your ARN is recorded as the approver)',
  );
  const withConnection = (c: Command) =>
    c
      .option('--local', LOCAL_HELP)
      .option('--function <name>', 'the approval decision function (default: found by listing functions)')
      .option('--json', 'print JSON');
  withConnection(
    command
      .command('list')
      .description('pending approvals, with age and expiry')
      .option('-q, --quiet', 'only the approval ids, one per line (for scripts)'),
  ).action(async (opts) => {
    const { listAction } = await import('../commands/approvals.ts');
    await listAction(opts);
  });
  withConnection(command.command('show <id>').description('one approval and its audit trail')).action(
    async (id: string, opts) => {
      const { showAction } = await import('../commands/approvals.ts');
      await showAction(id, opts);
    },
  );
  for (const verdict of ['approve', 'deny'] as const) {
    withConnection(
      command
        .command(`${verdict} <id>`)
        .description(verdict === 'approve' ? 'approve: the playbook continues' : 'deny: the playbook ends')
        .addOption(
          new Option('--reason <text>', 'why, for the audit trail (required, not blank)')
            .argParser(parseReason)
            .makeOptionMandatory(),
        ),
    ).action(async (id: string, opts) => {
      const { decideAction } = await import('../commands/approvals.ts');
      await decideAction(verdict, id, opts);
    });
  }
  return command;
}
