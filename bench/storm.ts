import os from 'node:os';
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { allRecords } from '#sandbox/scenario/audit-reader.ts';
import { startBenchSandbox } from './bench-stack.ts';
import { costSection } from './cost.ts';
import { credentialFinding, putInBatches, seedUsers } from './findings.ts';
import { type BenchSection, fmt, trackPeakRss } from './stats.ts';

const FINDINGS = Number(process.env.BENCH_STORM_FINDINGS ?? 1000);
const PUBLICATIONS = 10;

/**
 * A storm: 10,000 events, of which 9,000 are re-publications (same id, higher count) of 1,000
 * findings, interleaved. Expect exactly 1,000 executions, one audit decision per event, and
 * one containment per key: none lost, none duplicated.
 */
export async function benchStorm(): Promise<BenchSection[]> {
  const sandbox = await startBenchSandbox();
  try {
    const users = await seedUsers(sandbox, FINDINGS, 'storm');
    const entries = [];
    for (let n = 1; n <= PUBLICATIONS; n++) {
      for (const [i, u] of users.entries())
        entries.push(credentialFinding(u.user, u.key, `s${String(i).padStart(31, '0')}`, n));
    }
    const contained = new Map<string, number>();
    const stop = sandbox.server.onCall((call, req) => {
      if (call.operation !== 'UpdateAccessKey' || call.status !== 200) return;
      const key = new URLSearchParams(req.body.toString('utf8')).get('AccessKeyId') as string;
      contained.set(key, (contained.get(key) ?? 0) + 1);
    });
    const rss = trackPeakRss();
    const cpuBefore = process.cpuUsage(); // every thread: main and the functions' workers
    const started = performance.now();
    await putInBatches(sandbox, entries, () => {});
    await sandbox.idle();
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerEvent = (cpu.user + cpu.system) / 1000 / entries.length;
    const peakRss = rss.stop();
    stop();

    const stateMachineArn = sandbox.deployment?.stateMachines.find((m) =>
      m.logicalId.includes('disableaccesskey'),
    )?.arn as string;
    const executions = [];
    let nextToken: string | undefined;
    do {
      const page = await sandbox.clients.sfn.send(
        new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 1000 }),
      );
      executions.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const records = await allRecords(
      sandbox.clients.dynamodb,
      sandbox.deployment?.outputs.AuditTableName as string,
    );
    const decisions = records.filter((r) => r.action === 'classify');
    const lost = users.filter((u) => !contained.has(u.key)).length;
    const twice = [...contained.values()].filter((n) => n > 1).length;
    const ok =
      executions.length === FINDINGS && decisions.length === entries.length && lost === 0 && twice === 0;

    const histories = await Promise.all(
      executions
        .slice(0, 20)
        .map(
          async (e) =>
            (
              await sandbox.clients.sfn.send(
                new GetExecutionHistoryCommand({ executionArn: e.executionArn, maxResults: 1000 }),
              )
            ).events ?? [],
        ),
    );
    const storm: BenchSection = {
      title: 'Storm',
      body: [
        `${entries.length} events: ${FINDINGS} findings each published ${PUBLICATIONS} times (same id, count 1…${PUBLICATIONS}), in batches of 10.`,
        '',
        '| measure | expected | measured |',
        '|---|---|---|',
        `| executions | ${FINDINGS} | ${executions.length} |`,
        `| audit decisions (one per event) | ${entries.length} | ${decisions.length} (${decisions.filter((d) => d.outcome === 'duplicate').length} duplicate, ${decisions.filter((d) => d.outcome === 'routed').length} routed) |`,
        `| keys contained | ${FINDINGS} | ${contained.size} |`,
        `| lost containments | 0 | ${lost} |`,
        `| keys deactivated more than once | 0 | ${twice} |`,
        `| throughput | | ${fmt(entries.length / elapsed, 0)} events/s (${fmt(elapsed, 1)} s) |`,
        `| peak RSS | | ${fmt(peakRss / 1024 ** 2, 0)} MB |`,
        `| CPU per event, all threads | | ${fmt(cpuMsPerEvent, 1)} ms |`,
        '',
        ok ? 'Every expectation held.' : '**An expectation failed**: see the measured column.',
        `Throughput is bounded by CPU as in the end-to-end section: each of the ${entries.length} events is a classify invocation that records its own audit decision through the audit appender (a KMS MAC and DynamoDB writes), all on ${os.availableParallelism()} cores in one process. The counts do not depend on load.`,
      ].join('\n'),
    };
    return [storm, costSection(histories, records, executions.length, decisions.length)];
  } finally {
    await sandbox.stop();
  }
}
