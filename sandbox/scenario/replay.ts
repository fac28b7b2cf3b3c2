import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { AuditRecord } from '#shared/audit/record.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { playbooks } from '#statemachines/registry.ts';
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
  /**
   * Milliseconds from PutEvents to the playbook's first containment call (its audit record: the
   * definition's `containmentAction`), for every playbook that contained something.
   */
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
 * time is measured to the playbook's first containment call, as its audit record states it.
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
  const results: ReplayResult[] = [];
  for (const scenario of events) {
    const { detail, source } = scenario.event;
    // Taken before sending: delivery can classify and audit before PutEvents returns.
    const sentMs = Date.now() - 1;
    const sentWallClock = new Date(sentMs).toISOString();
    const out = await sandbox.clients.events.send(
      new PutEventsCommand({
        Entries: [
          { Source: source, DetailType: scenario.event['detail-type'], Detail: JSON.stringify(detail) },
        ],
      }),
    );
    if (out.FailedEntryCount)
      throw new Error(`PutEvents refused ${scenario.label}: ${out.Entries?.[0]?.ErrorMessage}`);
    const depthBefore = dlqDepth();
    onSent(scenario);
    await sandbox.idle();
    const findingId = findingIdOf(scenario.event);
    const records = findingId ? await findingHistory(sandbox.clients.dynamodb, table, findingId) : [];
    // Only what this event caused: an earlier event may have filed records under the same finding.
    const caused = records.filter((r) => r.at >= sentWallClock);
    const classify = [...caused].reverse().find((r) => r.action === 'classify');
    const containmentAction = playbooks.find((p) => p.name === classify?.playbook)?.containmentAction;
    const contained = caused.find(
      (r) => r.playbook === classify?.playbook && r.action === containmentAction && r.outcome === 'succeeded',
    );
    results.push({
      label: scenario.label,
      expect: scenario.expect,
      findingId,
      // The routed playbook's own end, not that of a follow-up it handed over to.
      outcome:
        caused
          .filter(
            (r) => r.action === 'classify' || (r.playbook === classify?.playbook && r.action !== 'HandOver'),
          )
          .at(-1)?.outcome ?? (dlqDepth() > depthBefore ? 'rejected' : 'no record'),
      playbook: classify?.playbook,
      mode: classify?.mode,
      containmentMs: contained ? Date.parse(contained.at) - sentMs : undefined,
      records,
    });
  }
  return results;
}
