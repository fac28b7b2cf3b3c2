import { Command, Option } from 'commander';
import { packagePath } from '../package-path.ts';

/** `remediate runbook [PLAYBOOK...]`; its action loads cli/commands/runbook.ts when it runs. */
export function runbookCommand(): Command {
  return new Command('runbook')
    .description(
      'Runbooks for the people paged: what starts each playbook, each step in plain words, what to do when it stops, what to check, how to undo',
    )
    .argument('[playbook...]', 'playbooks to write (default: all)')
    .addOption(new Option('--format <format>', 'md or html').choices(['md', 'html']).default('md'))
    .option('--policy <file>', 'policy whose rules start the playbooks', packagePath('policy/default.yaml'))
    .option('--out <dir>', 'write <dir>/<playbook>.<format> instead of printing')
    .action(async (names: string[], options: { format: 'md' | 'html'; policy: string; out?: string }) => {
      const { runbook } = await import('../commands/runbook.ts');
      runbook(names, options, console);
    });
}
