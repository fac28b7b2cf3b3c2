import { Command } from 'commander';
import { parsePort } from '../connection.ts';

/** `remediate sandbox`: the local AWS with the stack deployed, kept running for people to poke at. */
export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description('Start the local sandbox with the synthesized stack deployed, and keep it running')
    .option('--port <port>', 'port of the single endpoint (0 picks a free one)', '4566')
    .option('--no-seed', 'do not seed the demo account (users, VPCs, an instance, a trail, a bucket)')
    .option('--verbose', "also show the functions' logs (always in .sandbox/sandbox.log)")
    .action(async (opts: { port: string; seed: boolean; verbose?: boolean }) => {
      const port = parsePort(opts.port);
      const { serveSandbox } = await import('../serve-sandbox.ts');
      await serveSandbox({ port, seed: opts.seed, verbose: opts.verbose });
    });
}
