import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#functions/classify/config.ts';
import { type RouterDeps, routeEvent } from '#functions/classify/route.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { SANDBOX_REGION } from '#sandbox/server.ts';
import { AuditWriter } from '#shared/audit/writer.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { leakedKeyFinding, type StackHarness, startStack } from '../e2e/stack/harness.ts';

// The deployed policy (policy/default.yaml): at most 20 automatic actions in any 60 minutes.
const LIMIT = 20;
const WINDOW_MS = 60 * 60_000;

let h: StackHarness;
let deps: RouterDeps;
let clock: Date;
let users: { user: string; key: string }[];
let lambda: LambdaClient | undefined;

/**
 * The deployed classifier's router, with the function's own configuration and real SDK clients
 * on the sandbox, but the clock in the test's hands: the sandbox cannot move time forward an hour.
 */
beforeAll(async () => {
  h = await startStack();
  const classify = h.sandbox.deployment?.functions.find((f) => f.logicalId.startsWith('Classify'));
  lambda = new LambdaClient({
    endpoint: h.sandbox.endpoint,
    region: SANDBOX_REGION,
    credentials: SANDBOX_CREDENTIALS,
  });
  const { Environment } = await lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: classify?.arn }),
  );
  const config = loadConfig({
    ...Environment?.Variables,
    // Set by the Lambda runtime, not in the function's configuration.
    AWS_REGION: SANDBOX_REGION,
    REMEDIATION_POLICY: JSON.stringify(loadPolicyFile('policy/default.yaml')),
  });
  const dynamodb = h.sandbox.clients.dynamodb;
  deps = {
    ...config,
    // The classifier's own way into the trail: through the appender function.
    audit: new AuditWriter(lambda, config.auditAppender),
    dynamodb,
    sfn: h.sandbox.clients.sfn,
    sns: h.sandbox.clients.sns,
    sqs: h.sandbox.clients.sqs,
    now: () => clock,
  };
  users = [];
  for (let i = 0; i < 140; i++) {
    const user = `router-${i}`;
    await h.sandbox.clients.iam.send(new CreateUserCommand({ UserName: user }));
    const key = (await h.sandbox.clients.iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey
      ?.AccessKeyId as string;
    users.push({ user, key });
  }
}, 180_000);
afterAll(async () => {
  lambda?.destroy();
  await h?.stop();
});

/** Route finding `i` (its own user and key), published `count` times, at the clock's time. */
async function route(i: number, count = 1) {
  const { user, key } = users[i] as { user: string; key: string };
  const event = leakedKeyFinding(key, user, `5a1d${String(i).padStart(28, '0')}`);
  event.detail.service.count = count;
  const [outcome] = await routeEvent({ ...event, id: `event-${i}`, time: clock.toISOString() }, deps);
  return outcome;
}

/** Classify finding `i` at the clock's time; the mode the router chose. */
async function classifyAt(i: number): Promise<string | undefined> {
  const outcome = await route(i);
  expect(outcome?.outcome).toBe('routed');
  return outcome?.mode;
}

describe('the blast-radius limit in the deployed classifier', () => {
  it('claims a slot per finding before starting it: of 50 findings classified at once, exactly 20 run automatically', async () => {
    clock = new Date('2026-11-20T08:00:00.000Z');
    // All 50 in flight together: each reads the window before any other has started its playbook.
    const modes = await Promise.all(Array.from({ length: 50 }, (_, i) => classifyAt(62 + i)));

    expect(modes.filter((m) => m === 'auto')).toHaveLength(LIMIT);
    expect(modes.filter((m) => m === 'approve')).toHaveLength(50 - LIMIT);
  }, 180_000);

  it('slides: holds no more than 20 automatic actions in any 60 minutes, across what used to be a window boundary', async () => {
    const autoTimes: number[] = [];
    const run = async (first: number, count: number, at: string) => {
      const modes: (string | undefined)[] = [];
      clock = new Date(at);
      for (let i = first; i < first + count; i++) {
        const mode = await classifyAt(i);
        if (mode === 'auto') autoTimes.push(Date.parse(at));
        modes.push(mode);
      }
      return modes;
    };

    // 20 findings 0.1 s before 13:00 and 20 just after: fixed hourly buckets let all 40 run.
    const before = await run(0, 20, '2026-11-23T12:59:59.900Z');
    const after = await run(20, 20, '2026-11-23T13:00:00.100Z');
    expect(before.filter((m) => m === 'auto')).toHaveLength(LIMIT);
    expect(after.every((m) => m === 'approve')).toBe(true);

    // One hour after the first claims, to the millisecond, they still count...
    expect(await run(40, 1, '2026-11-23T13:59:59.900Z')).toEqual(['approve']);
    // ...and just past it the slots are free again, 20 of them and no more.
    const nextHour = await run(41, 21, '2026-11-23T13:59:59.901Z');
    expect(nextHour.filter((m) => m === 'auto')).toHaveLength(LIMIT);
    expect(nextHour.at(-1)).toBe('approve');

    // Whatever span of the window's length one picks, it holds at most 20 automatic actions.
    for (const start of autoTimes) {
      expect(autoTimes.filter((t) => t >= start && t <= start + WINDOW_MS).length).toBeLessThanOrEqual(LIMIT);
    }
  }, 180_000);

  it('counts each execution once: a finding delivered again or re-published takes no second slot', async () => {
    clock = new Date('2026-11-26T08:00:00.000Z');
    expect(await classifyAt(112)).toBe('auto');
    // The same event again (EventBridge delivers at least once): the open execution is answered,
    // nothing new starts.
    expect(await route(112)).toMatchObject({ outcome: 'routed', mode: 'auto' });
    // Re-published with a higher count: a different input, refused by Step Functions.
    expect(await route(112, 2)).toMatchObject({ outcome: 'duplicate' });

    const modes: (string | undefined)[] = [];
    for (let i = 113; i < 133; i++) modes.push(await classifyAt(i));

    expect(modes.slice(0, LIMIT - 1).every((m) => m === 'auto')).toBe(true);
    expect(modes.at(-1)).toBe('approve');
  }, 180_000);
});
