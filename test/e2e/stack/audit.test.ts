import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { auditExport, auditTimeline, auditVerify } from '#cli/commands/audit.ts';
import type { StsService } from '#sandbox/services/sts.ts';
import { appendChained, chainHeadKey, GENESIS, recordHash } from '#shared/audit/chain.ts';
import { recordsOfFinding, type StoredRecord } from '#shared/audit/reader.ts';
import { AUDIT_MAC_KEY_ALIAS, KmsRecordMac, MAC_ALGORITHM, macMessage } from '#shared/audit/record-mac.ts';
import { approvalNotice, approverWithKey, cliAs, userWithKey, waitFor } from './approval-helpers.ts';
import { fixtureEvent, leakedKeyFinding, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let tables: { auditTable: string; chainTable: string; retentionDays: number };
const lines: string[] = [];
const out = { log: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
const deps = () => ({
  dynamodb: h.sandbox.clients.dynamodb,
  kms: h.sandbox.clients.kms,
  accountId: async () => '111122223333',
});

beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-audit'));
  tables = {
    auditTable: h.auditTable,
    chainTable: h.sandbox.deployment?.outputs.AuditChainTableName as string,
    retentionDays: 400,
  };
}, 120_000);
afterAll(async () => {
  oncall?.close();
  await h?.stop();
});

/** Contain one leaked key; returns the finding id. */
async function containKey(userName: string, findingId: string): Promise<string> {
  const user = await userWithKey(h, userName);
  await h.put(leakedKeyFinding(user.accessKeyId, userName, findingId));
  return findingId;
}

const records = (findingId: string) => recordsOfFinding(h.sandbox.clients.dynamodb, tables, findingId);
/** In chain order (time order can differ by milliseconds: the classifier records after starting the playbook). */
const chain = async (findingId: string) =>
  (await records(findingId)).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
const key = (r: StoredRecord) => marshall({ pk: r.pk, sk: r.sk });
/** The trail's key, as the appender uses it (the sandbox's default credentials are not held to policies). */
const trailMac = () => new KmsRecordMac(h.sandbox.clients.kms, AUDIT_MAC_KEY_ALIAS);

describe('the audit trail as a tool', () => {
  it('chains every record of a finding, classifier and playbook alike, and verify passes on a clean trail', async () => {
    const id = await containKey('audit-clean', 'a0d17000000000000000000000000001');
    const trail = await chain(id);
    expect(trail.map((r) => r.seq)).toEqual(trail.map((_, i) => i + 1));
    expect(trail[0]?.prevHash).toBe('0'.repeat(64));
    for (const [i, r] of trail.entries()) if (i > 0) expect(r.prevHash).toBe(trail[i - 1]?.hash);
    expect(new Set(trail.map((r) => r.actor))).toEqual(new Set(['classify', 'playbook/disable-access-key']));
    // One expiry per finding, from the policy's retention (400 days by default).
    expect(new Set(trail.map((r) => r.expiresAt)).size).toBe(1);
    const days = ((trail[0]?.expiresAt ?? 0) * 1000 - Date.parse(trail[0]?.at ?? '')) / 86_400_000;
    expect(days).toBeGreaterThan(399.9);
    expect(days).toBeLessThan(400.1);

    lines.length = 0;
    const clean = await auditVerify({ ...tables }, deps(), out);
    expect(clean.exitCode).toBe(0);
    expect(clean.verdicts.every((v) => v.ok)).toBe(true);
    expect(lines.at(-1)).toMatch(/^Verified: \d+ chain\(s\), \d+ record\(s\), intact\.$/);
  });

  it('keeps one unbroken chain when many writers append to one finding at once', async () => {
    const pk = 'FINDING#a0d17000000000000000000000000c0c';
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        appendChained(
          h.sandbox.clients.dynamodb,
          tables,
          {
            pk,
            sk: `2026-11-24T00:00:00.000Z#concurrent#${String(i).padStart(3, '0')}`,
            resourceKey: 'RESOURCE#111122223333#Other#test/concurrency',
            at: '2026-11-24T00:00:00.000Z',
            actor: 'classify',
            action: 'classify',
            outcome: 'duplicate',
          },
          trailMac(),
        ),
      ),
    );
    const trail = await records(pk);
    expect(trail.map((r) => r.seq).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    const verdict = await auditVerify({ ...tables, finding: pk }, deps(), out);
    expect(verdict.exitCode).toBe(0);
  });

  it('names the record that was edited, the one after a deleted record, and the first of a reordered pair', async () => {
    const edited = await containKey('audit-edited', 'a0d17000000000000000000000000e01');
    const deleted = await containKey('audit-deleted', 'a0d17000000000000000000000000e02');
    const reordered = await containKey('audit-reordered', 'a0d17000000000000000000000000e03');
    const db = h.sandbox.clients.dynamodb;

    // Edited: someone rewrites what the key step says happened.
    const e = (await chain(edited))[2] as StoredRecord;
    await db.send(
      new UpdateItemCommand({
        TableName: tables.auditTable,
        Key: key(e),
        UpdateExpression: 'SET outcome = :o',
        ExpressionAttributeValues: { ':o': { S: 'skipped' } },
      }),
    );
    // Deleted: the record of the key's deactivation disappears.
    const d = await chain(deleted);
    await db.send(new DeleteItemCommand({ TableName: tables.auditTable, Key: key(d[1] as StoredRecord) }));
    // Reordered: records 2 and 3 trade places (each keeps its key, takes the other's position).
    const r = await chain(reordered);
    const [second, third] = [r[1] as StoredRecord, r[2] as StoredRecord];
    for (const [at, from] of [
      [second, third],
      [third, second],
    ] as const) {
      const { pk, sk, ...rest } = from;
      await db.send(
        new PutItemCommand({
          TableName: tables.auditTable,
          Item: marshall({ ...rest, pk: at.pk, sk: at.sk }, { removeUndefinedValues: true }),
        }),
      );
    }

    lines.length = 0;
    const result = await auditVerify({ ...tables }, deps(), out);
    expect(result.exitCode).toBe(1);
    const broken = Object.fromEntries(result.verdicts.filter((v) => !v.ok).map((v) => [v.pk, v.broken]));
    expect(Object.keys(broken).sort()).toEqual(
      [edited, deleted, reordered].map((id) => `FINDING#${id}`).sort(),
    );
    expect(broken[`FINDING#${edited}`]).toMatchObject({
      sk: e.sk,
      seq: 3,
      reason: expect.stringMatching(/edited/),
    });
    expect(broken[`FINDING#${deleted}`]).toMatchObject({
      sk: d[2]?.sk,
      seq: 3,
      reason: expect.stringMatching(/record 2 is missing/),
    });
    // In chain order, position 2 now sits under record 3's key: its content no longer hashes.
    expect(broken[`FINDING#${reordered}`]).toMatchObject({ sk: third.sk, seq: 2 });
    expect(lines.at(-1)).toBe(`3 of ${result.verdicts.length} chain(s) broken.`);
    expect(lines.filter((l) => l.startsWith('BROKEN '))).toHaveLength(3);

    // Deleting the last record is caught by the chain head.
    const tail = await containKey('audit-tail', 'a0d17000000000000000000000000e04');
    const last = (await chain(tail)).at(-1) as StoredRecord;
    await db.send(new DeleteItemCommand({ TableName: tables.auditTable, Key: key(last) }));
    const verdict = await auditVerify({ ...tables, finding: tail }, deps(), out);
    expect(verdict.verdicts[0]?.broken?.reason).toMatch(/chain head is at \d+, the trail ends at/);
  });

  it('audit --resource tells the whole story of the demo instance: quarantine, evidence, approval, re-image', async () => {
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = 'a0d17000000000000000000000000i01';
    event.detail.resource.instanceDetails.instanceId = h.account.instance.id;
    await h.put(event);
    const pending = await waitFor('the re-image approval request', () => approvalNotice(h, event.detail.id));
    await oncall.decide(pending.approvalId, 'approve', 'evidence is safe');
    await h.sandbox.idle();

    lines.length = 0;
    const story = await auditTimeline({ ...tables, resource: h.account.instance.id }, deps(), out);
    const steps = story.records.map((r) => `${r.action}:${r.outcome}`);
    for (const step of [
      'classify:routed',
      'EnableTerminationProtection:succeeded',
      'IsolateNetworkInterfaces:succeeded',
      'DisassociateIamInstanceProfile:succeeded',
      'HandOver:succeeded',
      'CreateSnapshots:succeeded',
      'RequestApproval:approval-required',
      'DecideApproval:approved',
      'ReplaceRootVolume:succeeded',
    ]) {
      expect(steps).toContain(step);
    }
    // In time order, and the table a person reads names them too.
    expect(steps.indexOf('IsolateNetworkInterfaces:succeeded')).toBeLessThan(
      steps.indexOf('CreateSnapshots:succeeded'),
    );
    expect(steps.indexOf('DecideApproval:approved')).toBeLessThan(
      steps.indexOf('ReplaceRootVolume:succeeded'),
    );
    const text = lines.join('\n');
    expect(text).toMatch(/time \(UTC\)\s+#\s+actor\s+action\s+outcome\s+detail/);
    // The full finding id and the executions that acted, as `remediate undo` takes them.
    const findingId = story.records[0]?.findingId as string;
    expect(text).toContain(`finding ${findingId}`);
    const executions = new Set(story.records.flatMap((r) => (r.executionArn ? [r.executionArn] : [])));
    expect(executions.size).toBeGreaterThanOrEqual(2);
    for (const arn of executions) expect(text).toContain(`  execution ${arn}  (`);
    expect(text).toContain('ReplaceRootVolume');
    expect(text).toMatch(new RegExp(`${story.records.length} record\\(s\\), 1 finding\\(s\\)\\.`));

    // JSON lines, and by the instance's ARN the same records.
    lines.length = 0;
    const arn = `arn:aws:ec2:us-east-1:111122223333:instance/${h.account.instance.id}`;
    await auditTimeline({ ...tables, resource: arn, json: true }, deps(), out);
    expect(lines.map((l) => JSON.parse(l).sk)).toEqual(story.records.map((r) => r.sk));
  });

  it('exports every record since a time as JSON lines, and refuses a malformed --since', async () => {
    lines.length = 0;
    const progress: string[] = [];
    const exported = await auditExport({ ...tables, since: '1h' }, deps(), out, (l) => progress.push(l));
    expect(exported.count).toBeGreaterThan(20);
    expect(lines).toHaveLength(exported.count);
    const parsed = lines.map((l) => JSON.parse(l) as StoredRecord);
    expect(parsed.map((r) => r.at)).toEqual([...parsed.map((r) => r.at)].sort());
    expect(parsed.every((r) => typeof r.hash === 'string')).toBe(true);
    expect(progress.at(-1)).toMatch(new RegExp(`^exported ${exported.count} record\\(s\\) since `));
    await expect(auditExport({ ...tables, since: 'yesterday' }, deps(), out)).rejects.toThrow(
      /expected a duration such as 1h/,
    );
    await expect(auditTimeline({ ...tables }, deps(), out)).rejects.toThrow(/exactly one of --finding/);
  });
});

/** Credentials of a deployed function's role, as Lambda gives them to the function. */
function functionRoleSession(logicalIdPrefix: string) {
  const role = [...(h.sandbox.deployment?.resources.values() ?? [])].find(
    (r) => r.type === 'AWS::IAM::Role' && r.logicalId.startsWith(logicalIdPrefix),
  );
  if (!role) throw new Error(`no role ${logicalIdPrefix}* in the deployment`);
  const sts = h.sandbox.server.authorizer as StsService;
  return sts.serviceSession(role.arn, 'lambda.amazonaws.com', { sessionName: 'tamper' });
}

/**
 * Rewrite a finding's records from position `from` on as someone with write access to the tables
 * but not the MAC key: change what record `from` says, recompute every later SHA-256 hash and
 * link, and move the chain head to the new last hash. `seqOfHead` rolls the head back instead.
 */
async function rewriteTrail(
  db: DynamoDBClient,
  trail: StoredRecord[],
  from: number,
  change: Partial<StoredRecord>,
  seqOfHead = trail.length,
): Promise<void> {
  let prev = from === 1 ? GENESIS : String(trail[from - 2]?.hash);
  for (const [i, record] of trail.entries()) {
    if (i + 1 < from) continue;
    const rewritten = { ...record, ...(i + 1 === from ? change : {}), prevHash: prev };
    rewritten.hash = recordHash(rewritten);
    prev = rewritten.hash;
    trail[i] = rewritten;
    await db.send(
      new PutItemCommand({
        TableName: tables.auditTable,
        Item: marshall(rewritten, { removeUndefinedValues: true }),
      }),
    );
  }
  await db.send(
    new UpdateItemCommand({
      TableName: tables.chainTable,
      Key: marshall({ pk: chainHeadKey(trail[0]?.pk as string) }),
      UpdateExpression: 'SET #seq = :seq, #hash = :hash',
      ExpressionAttributeNames: { '#seq': 'seq', '#hash': 'hash' },
      ExpressionAttributeValues: marshall({ ':seq': seqOfHead, ':hash': trail[seqOfHead - 1]?.hash }),
    }),
  );
}

describe('the audit trail against its own writers', () => {
  it("gives the writers' roles no way to forge a record: the classifier may neither MAC nor put records", async () => {
    const classifier = functionRoleSession('ClassifyRole');
    const config = {
      endpoint: h.sandbox.endpoint,
      region: 'us-east-1',
      credentials: classifier,
      maxAttempts: 1,
    };
    const kms = new KMSClient(config);
    const db = new DynamoDBClient(config);
    try {
      await expect(
        kms.send(
          new GenerateMacCommand({
            KeyId: AUDIT_MAC_KEY_ALIAS,
            MacAlgorithm: MAC_ALGORITHM,
            Message: macMessage('0'.repeat(64)),
          }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException', message: /kms:GenerateMac/ });
      await expect(
        db.send(
          new PutItemCommand({
            TableName: tables.auditTable,
            Item: marshall({ pk: 'FINDING#forged', sk: 'forged', seq: 1, hash: GENESIS, mac: 'AA==' }),
          }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException', message: /dynamodb:PutItem/ });
    } finally {
      kms.destroy();
      db.destroy();
    }
  });

  it('names record 1 when it is rewritten, every later hash recomputed and the head moved', async () => {
    const id = await containKey('audit-rewritten', 'a0d17000000000000000000000000f01');
    const trail = await chain(id);
    expect((await auditVerify({ ...tables, finding: id }, deps(), out)).exitCode).toBe(0);

    // The key was never deactivated, says the rewritten first record.
    await rewriteTrail(h.sandbox.clients.dynamodb, trail, 1, { outcome: 'skipped', reason: 'benign' });

    lines.length = 0;
    const verdict = await auditVerify({ ...tables, finding: id }, deps(), out);
    expect(verdict.exitCode).toBe(1);
    expect(verdict.verdicts[0]?.broken).toMatchObject({
      seq: 1,
      sk: trail[0]?.sk,
      reason: expect.stringMatching(/MAC does not verify/),
    });
    expect(lines[0]).toContain(
      `BROKEN FINDING#${id} at record 1 (${trail[0]?.action}, sort key ${trail[0]?.sk})`,
    );
  });

  it('names the newest record rewritten behind a head rolled back one step, and a head rolled back alone', async () => {
    const rewritten = await containKey('audit-rolled-back', 'a0d17000000000000000000000000f02');
    const trail = await chain(rewritten);
    const n = trail.length;
    await rewriteTrail(h.sandbox.clients.dynamodb, trail, n, { outcome: 'failed' }, n - 1);
    const newest = await auditVerify({ ...tables, finding: rewritten }, deps(), out);
    expect(newest.verdicts[0]?.broken).toMatchObject({
      seq: n,
      sk: trail[n - 1]?.sk,
      reason: expect.stringMatching(/MAC does not verify/),
    });

    const rolledBack = await containKey('audit-head-back', 'a0d17000000000000000000000000f03');
    const intact = await chain(rolledBack);
    await rewriteTrail(h.sandbox.clients.dynamodb, intact, intact.length + 1, {}, intact.length - 1);
    const behind = await auditVerify({ ...tables, finding: rolledBack }, deps(), out);
    expect(behind.verdicts[0]?.broken).toMatchObject({
      seq: intact.length,
      reason: `the chain head is at ${intact.length - 1}, behind the trail, which goes on to ${intact.length}: the head was moved back`,
    });
  });

  it('reports, in a whole-trail verify, a finding whose records were all deleted', async () => {
    const id = await containKey('audit-erased', 'a0d17000000000000000000000000f04');
    const trail = await chain(id);
    for (const r of trail) {
      await h.sandbox.clients.dynamodb.send(
        new DeleteItemCommand({ TableName: tables.auditTable, Key: key(r) }),
      );
    }
    const result = await auditVerify({ ...tables }, deps(), out);
    expect(result.exitCode).toBe(1);
    expect(result.verdicts.find((v) => v.pk === `FINDING#${id}`)).toMatchObject({
      ok: false,
      records: 0,
      broken: {
        seq: 1,
        reason: `the chain head is at ${trail.length} but the trail has none of its records: they were deleted`,
      },
    });
  });
});
