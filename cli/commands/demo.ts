import { Command } from 'commander';

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
    .action(async (opts: { port: string; interactive?: boolean }) => {
      // The demo runs on whatever Node the user has (20+); the SDK's upgrade notice is noise here.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const { runDemo } = await import('../demo.ts');
      process.exitCode = await runDemo({ port: Number(opts.port), interactive: opts.interactive ?? false });
    });
}
