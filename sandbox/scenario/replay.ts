import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { AuditRecord } from '#shared/audit/record.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import type { Sandbox } from '../index.ts';
import { findingHistory } from './audit-reader.ts';
import type { ScenarioEvent } from './events.ts';

/** How one scenario event ended, read back from the audit trail. */
export interface ReplayResult {
  label: string;
  expect: string;
  findingId?: string;
  /** The last audit outcome of the finding (or `rejected`). */
  outcome: string;
  playbook?: string;
  mode?: string;
  /** Milliseconds from PutEvents accepted to the containment call received by the sandbox. */
  containmentMs?: number;
  records: AuditRecord[];
}

/**
 * The id classify files a finding under, from the same normalizer classify uses (a Config
 * finding's id is its rule, resource and evaluation time; GuardDuty's its own id). A malformed
 * event falls back to the ids its envelope carries.
 */
export function findingIdOf(event: ScenarioEvent['event']): string | undefined {
  const normalized = normalizeEvent(event);
  if (normalized.ok) return normalized.findings[0]?.id;
  const d = event.detail ?? {};
  return d.id ?? d.eventID ?? d.findings?.[0]?.Id;
}

/**
 * Put each scenario event on the sandbox's default bus through the real EventBridge client,
 * wait until the pipeline is idle, and read the outcome back from the audit trail. Containment
 * time is measured to the moment the sandbox receives the UpdateAccessKey call for that key.
 */
export async function replayScenario(
  sandbox: Sandbox,
  events: readonly ScenarioEvent[],
  onSent: (event: ScenarioEvent) => void = () => {},
): Promise<ReplayResult[]> {
  const table = sandbox.deployment?.outputs.AuditTableName;
  if (!table) throw new Error('the stack is not deployed: no AuditTableName output');
  const dlqUrl = sandbox.deployment?.outputs.ClassifyDeadLetterQueueUrl ?? '';
  const dlqDepth = () => sandbox.services.sqs.messages(dlqUrl).length;
  const containedAt = new Map<string, number>();
  const stop = sandbox.server.onCall((call, req) => {
    if (call.service === 'iam' && call.operation === 'UpdateAccessKey' && call.status === 200) {
      const key = new URLSearchParams(req.body.toString('utf8')).get('AccessKeyId');
      if (key && !containedAt.has(key)) containedAt.set(key, call.at);
    }
  });
  const results: ReplayResult[] = [];
  try {
    for (const scenario of events) {
      const { detail, source } = scenario.event;
      // Taken before sending: delivery can classify and audit before PutEvents returns.
      const sentWallClock = new Date(Date.now() - 1).toISOString();
      const out = await sandbox.clients.events.send(
        new PutEventsCommand({
          Entries: [
            { Source: source, DetailType: scenario.event['detail-type'], Detail: JSON.stringify(detail) },
          ],
        }),
      );
      const sentAt = performance.now();
      if (out.FailedEntryCount)
        throw new Error(`PutEvents refused ${scenario.label}: ${out.Entries?.[0]?.ErrorMessage}`);
      const depthBefore = dlqDepth();
      onSent(scenario);
      await sandbox.idle();
      const findingId = findingIdOf(scenario.event);
      const records = findingId ? await findingHistory(sandbox.clients.dynamodb, table, findingId) : [];
      const key = detail?.resource?.accessKeyDetails?.accessKeyId as string | undefined;
      const contained = key ? containedAt.get(key) : undefined;
      // Only what this event caused: an earlier event may have filed records under the same finding.
      const caused = records.filter((r) => r.at >= sentWallClock);
      const classify = [...caused].reverse().find((r) => r.action === 'classify');
      results.push({
        label: scenario.label,
        expect: scenario.expect,
        findingId,
        // The routed playbook's own end, not that of a follow-up it handed over to.
        outcome:
          caused
            .filter(
              (r) =>
                r.action === 'classify' || (r.playbook === classify?.playbook && r.action !== 'HandOver'),
            )
            .at(-1)?.outcome ?? (dlqDepth() > depthBefore ? 'rejected' : 'no record'),
        playbook: classify?.playbook,
        mode: classify?.mode,
        containmentMs: contained !== undefined && contained >= sentAt ? contained - sentAt : undefined,
        records,
      });
    }
  } finally {
    stop();
  }
  return results;
}
