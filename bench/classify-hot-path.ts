import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { classifyEvent } from '#shared/classify.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { type BenchSection, fmt, median, percentile } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * CPU time per event of validate → normalize → evaluate policy, over the fixture mix, in a warm
 * loop, against the floor every handler pays: JSON.parse of the same raw event.
 */
export async function benchClassifyHotPath(): Promise<BenchSection> {
  const dirs = [path.join(ROOT, 'test/fixtures/events'), path.join(ROOT, 'examples/events')];
  const raws = dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.json'))
      .map((f) => readFileSync(path.join(d, f), 'utf8')),
  );
  const policy = loadPolicyFile(path.join(ROOT, 'policy/default.yaml'));
  const ctx = { now: new Date(), recentAutoActions: 0 };
  const ROUNDS = 400;
  const BATCH = 25; // time batches: one event is below the timer's useful resolution

  const classifyTimes: number[] = [];
  const parseTimes: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const raw of raws) {
      const event = JSON.parse(raw);
      let t = performance.now();
      for (let i = 0; i < BATCH; i++) sink += classifyEvent(event, policy, ctx).length;
      const classify = (performance.now() - t) / BATCH;
      t = performance.now();
      for (let i = 0; i < BATCH; i++) sink += JSON.parse(raw) ? 1 : 0;
      const parse = (performance.now() - t) / BATCH;
      if (round >= 20) {
        // the first rounds warm the JIT
        classifyTimes.push(classify * 1000);
        parseTimes.push(parse * 1000);
      }
    }
  }
  if (sink === 0) throw new Error('nothing classified');
  const ratio = median(classifyTimes) / median(parseTimes);
  const rows = [
    ['validate → normalize → evaluate', fmt(median(classifyTimes), 2), fmt(percentile(classifyTimes, 99), 2)],
    ['JSON.parse of the raw event (floor)', fmt(median(parseTimes), 2), fmt(percentile(parseTimes, 99), 2)],
  ];
  const met = ratio <= 5;
  return {
    title: 'Classification hot path',
    body: [
      `${raws.length} fixture events (our own and the public samples), ${ROUNDS - 20} warm rounds, timed in batches of ${BATCH}.`,
      '',
      '| step | median µs/event | p99 µs/event |',
      '|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `Ratio to JSON.parse (median): **${fmt(ratio, 1)}x**. Target ≤ 5x: ${met ? 'met' : '**missed** (where the time goes: `node --cpu-prof --import tsx bench/classify-hot-path.ts`)'}.`,
    ].join('\n'),
  };
}

// Run alone (`npx tsx bench/classify-hot-path.ts`): the section, and the machine's load.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const loadAtStart = os.loadavg()[0]?.toFixed(1);
  const section = await benchClassifyHotPath();
  console.log(
    `${section.body}\n\nLoad average (1 min): ${loadAtStart} at start, ${os.loadavg()[0]?.toFixed(1)} at end.`,
  );
}
