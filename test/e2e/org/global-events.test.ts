import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAssemblyStale } from '#sandbox/deploy/assembly.ts';
import { Sandbox } from '#sandbox/index.ts';
import { findingHistory } from '#sandbox/scenario/audit-reader.ts';
import { HOME_REGION, MEMBER_A, ORG, OTHER_REGION, SECURITY } from './organization.ts';

/**
 * An organization whose security stack runs in eu-west-1 only. AWS delivers IAM, STS and sign-in
 * events (the root user's access keys and console sign-ins) to us-east-1's default bus only, so
 * they must be brought to eu-west-1: by the member stacks' forwarding rules in each member, and by
 * `AutoRemediationGlobalEvents` in the security account's own us-east-1.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const CONTEXT = { organizationId: ORG, securityAccountId: SECURITY, regions: [OTHER_REGION] };
const ASSEMBLY = path.join(ROOT, 'cdk.out.global-events');
const FIXTURES = path.join(ROOT, 'test/fixtures/events');

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await Sandbox.start({
    port: 0,
    timeScale: 0.001,
    assemblyDir: ASSEMBLY,
    context: CONTEXT,
    deployments: [
      { stack: 'AutoRemediation', accountId: SECURITY, region: OTHER_REGION },
      { stack: 'AutoRemediationGlobalEvents', accountId: SECURITY, region: HOME_REGION },
      { stack: 'AutoRemediationMember', accountId: MEMBER_A, region: OTHER_REGION },
      { stack: 'AutoRemediationMemberRegion', accountId: MEMBER_A, region: HOME_REGION },
    ],
  });
  sandbox.server.organizations.add(ORG, [SECURITY, MEMBER_A]);
}, 300_000);
afterAll(() => sandbox?.stop());

/** A root-user event of `fixture`, as CloudTrail puts it on `account`'s default bus in us-east-1. */
async function rootEventIn(account: string, fixture: string, eventId: string): Promise<void> {
  const event = JSON.parse(readFileSync(path.join(FIXTURES, fixture), 'utf8'));
  const detail = JSON.parse(JSON.stringify(event.detail).replaceAll('111122223333', account));
  detail.eventID = eventId;
  const out = await sandbox.clientsFor(account, HOME_REGION).events.send(
    new PutEventsCommand({
      Entries: [{ Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(detail) }],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  await sandbox.idle();
}

/** The eu-west-1 security stack's audit records of one finding. */
function historyOf(findingId: string) {
  const deployment = sandbox.deployments.find(
    (d) => d.stackName === 'AutoRemediation' && d.region === OTHER_REGION,
  );
  return findingHistory(
    sandbox.clientsFor(SECURITY, OTHER_REGION).dynamodb,
    deployment?.outputs.AuditTableName as string,
    findingId,
  );
}

describe('global-service events with the security stack outside us-east-1', () => {
  it("brings the security account's own root access key from us-east-1 to its stack in eu-west-1", async () => {
    const id = 'a0000000-0000-4000-8000-00000000g001';
    await rootEventIn(SECURITY, 'cloudtrail-root-create-access-key.json', id);
    expect((await historyOf(id)).map((r) => [r.action, r.outcome])).toEqual([['classify', 'notified']]);
  });

  it("brings a member's root console sign-in from its us-east-1 to the security stack in eu-west-1", async () => {
    const id = 'a0000000-0000-4000-8000-00000000g002';
    await rootEventIn(MEMBER_A, 'cloudtrail-root-console-login.json', id);
    const records = await historyOf(id);
    expect(records.map((r) => [r.action, r.outcome])).toEqual([['classify', 'notified']]);
    expect(records[0]?.resourceKey).toContain(MEMBER_A);
  });

  it('was synthesized for this context, and would be again for another', () => {
    expect(isAssemblyStale(ASSEMBLY, ROOT, CONTEXT)).toBe(false);
    expect(isAssemblyStale(ASSEMBLY, ROOT, { ...CONTEXT, dryRun: 'true' })).toBe(true);
  });
});
