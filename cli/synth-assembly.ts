import { synthesize } from '#sandbox/deploy/synthesize.ts';

// Run by cli/quiet-synth.ts in a child process: `node --import tsx cli/synth-assembly.ts <outdir>`.
await synthesize(process.argv[2] as string);
