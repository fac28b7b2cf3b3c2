import { synthesize } from '#sandbox/deploy/synthesize.ts';

/**
 * `tsx test/synthesize-assembly.ts <outdir> <context JSON>`: one assembly in a process of its own,
 * so the global setup synthesizes two at once, one per core (the CDK app builds on one thread).
 */
const [outdir, context] = process.argv.slice(2);
if (!outdir) throw new Error('usage: synthesize-assembly.ts <outdir> [<context JSON>]');
await synthesize(outdir, context ? JSON.parse(context) : {});
