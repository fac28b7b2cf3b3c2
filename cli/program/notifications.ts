import { Command } from 'commander';
import { LOCAL_HELP } from '../connection.ts';

/** `remediate notifications --local`; its action loads cli/commands/notifications.ts when it runs. */
export function notificationsCommand(): Command {
  return new Command('notifications')
    .description('Show the notifications published so far, with approval links (sandbox: --local)')
    .option('--local', LOCAL_HELP)
    .option('--json', 'one JSON object per line')
    .action(async (opts: { local?: boolean; json?: boolean }) => {
      const { showNotifications } = await import('../commands/notifications.ts');
      await showNotifications(opts);
    });
}
