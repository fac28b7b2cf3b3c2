import { Command } from 'commander';
import { parsePort } from '../connection.ts';

/** The `demo` command (`npm start`); the sandbox loads only when it runs. */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'Run the whole pipeline on the local sandbox: deploy, seed, replay findings, show the audit trail',
    )
    .option('--port <port>', 'sandbox port (0 picks a free one)', '0')
    .option(
      '--interactive',
      'answer the approval request at the prompt instead of approving it automatically',
    )
    .option(
      '--verbose',
      "also show the functions' logs and every playbook state (always in .sandbox/demo.log)",
    )
    .action(async (opts: { port: string; interactive?: boolean; verbose?: boolean }) => {
      const port = parsePort(opts.port);
      const { runDemo } = await import('../demo.ts');
      process.exitCode = await runDemo({
        port,
        interactive: opts.interactive ?? false,
        verbose: opts.verbose,
      });
    });
}
