import { Command } from 'commander';

/** `remediate sandbox`: the local AWS with the stack deployed, kept running for people to poke at. */
export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description('Start the local sandbox with the synthesized stack deployed, and keep it running')
    .option('--port <port>', 'port of the single endpoint', '4566')
    .option('--no-seed', 'do not seed the demo account (users, VPCs, an instance, a trail, a bucket)')
    .action(async (opts: { port: string; seed: boolean }) => {
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const { serveSandbox } = await import('../serve-sandbox.ts');
      await serveSandbox({ port: Number(opts.port), seed: opts.seed });
    });
}
