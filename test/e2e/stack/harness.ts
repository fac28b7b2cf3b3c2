import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Sandbox } from '#sandbox/index.ts';
import { findingHistory } from '#sandbox/scenario/audit-reader.ts';
import { type SeededAccount, seedAccount } from '#sandbox/scenario/seed.ts';
import type { AuditRecord } from '#shared/audit/record.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/events');

/** A fixture event (EventBridge envelope) by file name. */
export function fixtureEvent(name: string): {
  source: string;
  'detail-type': string;
  detail: Record<string, any>;
} {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/** A running sandbox with the synthesized stack deployed and the demo account seeded. */
export interface StackHarness {
  sandbox: Sandbox;
  account: SeededAccount;
  auditTable: string;
  /** Put one event on the default bus through the real EventBridge client and wait until everything settled. */
  put(event: { source: string; 'detail-type': string; detail: unknown }): Promise<void>;
  /** The audit trail of one finding, in order. */
  history(findingId: string): Promise<AuditRecord[]>;
  stop(): Promise<void>;
}

/** Start the sandbox on a free port, deploy the stack from `cdk.out` and seed the demo account. */
export async function startStack(
  deploy: { context?: Record<string, unknown>; assemblyDir?: string } = {},
): Promise<StackHarness> {
  const sandbox = await Sandbox.start({ port: 0, timeScale: 0.001, snapshotDelayMs: 50, ...deploy });
  const account = await seedAccount(sandbox.clients);
  const auditTable = sandbox.deployment?.outputs.AuditTableName as string;
  return {
    sandbox,
    account,
    auditTable,
    async put(event) {
      const out = await sandbox.clients.events.send(
        new PutEventsCommand({
          Entries: [
            { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
          ],
        }),
      );
      if (out.FailedEntryCount) throw new Error(`PutEvents refused: ${out.Entries?.[0]?.ErrorMessage}`);
      await sandbox.idle();
    },
    history: (findingId) => findingHistory(sandbox.clients.dynamodb, auditTable, findingId),
    stop: () => sandbox.stop(),
  };
}

/** The GuardDuty credential-exfiltration fixture pointed at a real seeded key. */
export function leakedKeyFinding(accessKeyId: string, userName: string, findingId?: string) {
  const event = fixtureEvent('guardduty-iam-credential-exfiltration.json');
  event.detail.resource.accessKeyDetails.accessKeyId = accessKeyId;
  event.detail.resource.accessKeyDetails.userName = userName;
  if (findingId) event.detail.id = findingId;
  return event;
}
