import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RouterDeps, routeEvent } from '#functions/classify/route.ts';
import { classifyEvent } from '#shared/classify.ts';
import {
  ACCESS_KEY_ID,
  BUCKET_NAME,
  type Finding,
  INSTANCE_ID,
  SECURITY_GROUP_ID,
} from '#shared/findings/finding.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { FIXTURES, hostileEvent } from './hostile-events.ts';

const policy = loadPolicyFile(path.resolve(import.meta.dirname, '../../policy/default.yaml'));
const RUNS = Number(process.env.HOSTILE_RUNS ?? 1500);
/** The long variant (`npm run bench`) runs 100,000 cases: give it time in proportion. */
const TIMEOUT = Math.max(30_000, RUNS * 3);

/** An identifier the playbook would act on, checked against its AWS format. */
function assertActionableIds(finding: Finding): void {
  const r = finding.resource;
  if (r.kind === 'AccessKey') expect(r.accessKeyId).toMatch(ACCESS_KEY_ID);
  if (r.kind === 'Instance') expect(r.instanceId).toMatch(INSTANCE_ID);
  if (r.kind === 'SecurityGroup') expect(r.groupId).toMatch(SECURITY_GROUP_ID);
  if (r.kind === 'Bucket') expect(r.bucketName).toMatch(BUCKET_NAME);
  expect(finding.accountId).toMatch(/^\d{12}$/);
}

describe('hostile input', () => {
  it('starts from real fixtures', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(14);
  });

  it(
    'never throws: every mutated event is a typed rejection or a valid decision',
    () => {
      fc.assert(
        fc.property(hostileEvent, (event) => {
          const results = classifyEvent(event, policy, { now: new Date(), recentAutoActions: 0 });
          expect(results.length).toBeGreaterThan(0);
          for (const r of results) {
            if (r.outcome === 'rejected') {
              expect(typeof r.reason).toBe('string');
              expect(r.reason.length).toBeGreaterThan(0);
            } else {
              expect(['routed', 'skipped', 'exempt']).toContain(r.outcome);
              if (r.outcome === 'routed' && r.playbook) assertActionableIds(r.finding);
            }
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'never starts an execution whose input carries an identifier that fails its AWS format',
    async () => {
      const started: Finding[] = [];
      const deps: RouterDeps = {
        policy,
        audit: { append: async (r: unknown) => r } as never,
        sfn: {
          send: async (c: { input: { input: string } }) => {
            started.push(JSON.parse(c.input.input).finding);
            return { executionArn: 'arn:x' };
          },
        } as never,
        sns: { send: async () => ({}) } as never,
        sqs: { send: async () => ({}) } as never,
        dynamodb: { send: async () => ({}) } as never,
        stateMachines: { 'disable-access-key': 'arn:aws:states:us-east-1:111122223333:stateMachine:dak' },
        topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
        deadLetterQueueUrl: 'http://dlq',
        counterTable: 'counters',
        protectedPrincipalArns: [],
        globalDryRun: false,
        ownAccount: { accountId: '111122223333', region: 'us-east-1' },
      };
      await fc.assert(
        fc.asyncProperty(hostileEvent, async (event) => {
          const outcomes = await routeEvent(event, deps);
          expect(outcomes.length).toBeGreaterThan(0);
        }),
        { numRuns: Math.ceil(RUNS / 3) },
      );
      expect(started.length).toBeGreaterThan(0);
      for (const finding of started) assertActionableIds(finding);
    },
    TIMEOUT,
  );
});
