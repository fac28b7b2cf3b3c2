import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAssemblyStale } from '#sandbox/deploy/assembly.ts';
import { Sandbox } from '#sandbox/index.ts';
import { benchBundles } from './bundles.ts';
import { benchClassifyHotPath } from './classify-hot-path.ts';
import { benchColdStart } from './cold-start.ts';
import { benchEndToEnd } from './end-to-end.ts';
import { benchFaultMatrix } from './fault-matrix.ts';
import { benchLatencyModel } from './latency-model.ts';
import { benchLeastPrivilege } from './least-privilege.ts';
import { type BenchSection, fmt } from './stats.ts';
import { benchStorm } from './storm.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const t0 = performance.now();
const say = (line: string) =>
  console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}`);

async function hostileInputLong(): Promise<BenchSection> {
  const runs = 100_000;
  const started = performance.now();
  await run(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', 'test/reliability/hostile-input.test.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, HOSTILE_RUNS: String(runs) },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return {
    title: 'Hostile input (long variant)',
    body: `${runs.toLocaleString('en')} mutated fixture events through classify (plus ${Math.ceil(runs / 3).toLocaleString('en')} through the router with a recording Step Functions client): no unhandled exception, every case a typed rejection or a valid decision, no execution started with an identifier that fails its AWS format. ${fmt((performance.now() - started) / 1000, 0)} s.`,
  };
}

/** The machine is shared: its load average (1 min) is part of every figure. */
const load = () => os.loadavg()[0]?.toFixed(1) ?? 'n/a';

async function main(): Promise<void> {
  const loadAtStart = load();
  if (isAssemblyStale(path.join(ROOT, 'cdk.out'), ROOT)) {
    say('synthesizing cdk.out…');
    const { synthesize } = await import('#sandbox/deploy/synthesize.ts');
    await synthesize(path.join(ROOT, 'cdk.out'));
  }
  const sections: BenchSection[] = [];
  // Written after every section, so a run cut short still leaves what it measured, marked partial.
  const add = (...done: BenchSection[]) => {
    sections.push(...done);
    write(sections, loadAtStart, false);
  };
  say('classification hot path…');
  add(await benchClassifyHotPath());
  say('bundles: composition, and import time bundled against the runtime SDK…');
  add(await benchBundles());
  say('cold start (20 fresh processes per bundle)…');
  const sandbox = await Sandbox.start({ port: 0 });
  try {
    add(await benchColdStart(sandbox));
  } finally {
    await sandbox.stop();
  }
  say('end to end: 1,000 findings through the sandbox…');
  add(await benchEndToEnd());
  say('critical path: the latency model over the demo scenario…');
  add(await benchLatencyModel());
  say('storm: 10,000 events…');
  add(...(await benchStorm()));
  say('hostile input, 100,000 cases…');
  add(await hostileInputLong());
  say('fault matrix: every mutating call × 4 faults…');
  add(...(await benchFaultMatrix(ROOT)));
  add(benchLeastPrivilege(ROOT));

  write(sections, loadAtStart, true);
  say('wrote BENCHMARKS.md');
}

/** BENCHMARKS.md from the sections measured so far. */
function write(sections: readonly BenchSection[], loadAtStart: string, complete: boolean): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    '# Benchmarks',
    '',
    `Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${os.cpus().length} × ${cpu}, ${fmt(os.totalmem() / 1024 ** 3, 0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}. ${complete ? 'Total' : 'Partial run, so far'} ${fmt((performance.now() - t0) / 1000, 0)} s. Load average (1 min) ${loadAtStart} at the start, ${load()} ${complete ? 'at the end' : 'now'}, on ${os.cpus().length} cores shared with other work: every figure below is from this one run, under that load.`,
    'Targets are goals reported against, never timed tests. The sandbox runs everything in one Node process; absolute figures measure it as much as the pipeline.',
  ];
  const text = [...header, ...sections.flatMap((s) => ['', `## ${s.title}`, '', s.body])].join('\n');
  writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), `${text}\n`);
}

await main();
