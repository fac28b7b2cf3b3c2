import { Command } from 'commander';

/** The `demo` command (`npm start`); the sandbox loads only when it runs. */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'Run the whole pipeline on the local sandbox: deploy, seed, replay findings, show the audit trail',
    )
    .option('--port <port>', 'sandbox port (0 picks a free one)', '0')
    .action(async (opts: { port: string }) => {
      const { runDemo } = await import('../demo.ts');
      process.exitCode = await runDemo({ port: Number(opts.port) });
    });
}
