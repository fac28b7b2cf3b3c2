import { Command } from 'commander';
import { packagePath } from '../package-path.ts';

/** The `classify` command; its action loads cli/commands/classify.ts when it runs. */
export function classifyCommand(): Command {
  return new Command('classify')
    .description('show what the policy decides for EventBridge event files, without AWS')
    .argument('<files...>', 'JSON event files, or folders of them')
    .option('--policy <file>', 'policy to evaluate', packagePath('policy/default.yaml'))
    .option('--json', 'one JSON object per line instead of a table', false)
    .action(async (files: string[], options: { policy: string; json: boolean }) => {
      const { classifyFiles } = await import('../commands/classify.ts');
      process.exitCode = classifyFiles(files, options, console);
    });
}
