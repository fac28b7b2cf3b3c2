import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import type { Sandbox } from '#sandbox/index.ts';

const FIXTURE = path.resolve(
  import.meta.dirname,
  '../test/fixtures/events/guardduty-iam-credential-exfiltration.json',
);

/** Create `count` users with one access key each, through the real IAM client. */
export async function seedUsers(
  sandbox: Sandbox,
  count: number,
  prefix = 'bench',
): Promise<{ user: string; key: string }[]> {
  const out: { user: string; key: string }[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, i) => `${prefix}-${start + i}`);
    out.push(
      ...(await Promise.all(
        batch.map(async (user) => {
          await sandbox.clients.iam.send(new CreateUserCommand({ UserName: user }));
          const key = (await sandbox.clients.iam.send(new CreateAccessKeyCommand({ UserName: user })))
            .AccessKey?.AccessKeyId;
          return { user, key: key as string };
        }),
      )),
    );
  }
  return out;
}

/** A GuardDuty credential finding entry for PutEvents, on one user's key. */
export function credentialFinding(
  user: string,
  key: string,
  findingId: string,
  count = 1,
): PutEventsRequestEntry {
  const event = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  event.detail.id = findingId;
  event.detail.resource.accessKeyDetails.accessKeyId = key;
  event.detail.resource.accessKeyDetails.userName = user;
  event.detail.service.count = count;
  return { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) };
}

/** Put entries in batches of 10 with at most `inFlight` calls at once; calls back with each batch's acceptance time. */
export async function putInBatches(
  sandbox: Sandbox,
  entries: readonly PutEventsRequestEntry[],
  onAccepted: (batch: readonly PutEventsRequestEntry[], at: number) => void,
  inFlight = 8,
): Promise<void> {
  const batches: PutEventsRequestEntry[][] = [];
  for (let i = 0; i < entries.length; i += 10) batches.push(entries.slice(i, i + 10));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as PutEventsRequestEntry[];
      const out = await sandbox.clients.events.send(new PutEventsCommand({ Entries: batch }));
      if (out.FailedEntryCount) throw new Error(`PutEvents refused ${out.FailedEntryCount} entries`);
      onAccepted(batch, performance.now());
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}
