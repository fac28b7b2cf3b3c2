import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL_GROUP, ISOLATION_GROUP } from '#statemachines/quarantine-instance/isolate-network.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
/** The isolation-group lookups the sandbox received, by the group's tag value. */
const lookups: string[] = [];
beforeAll(async () => {
  h = await startStack();
  h.sandbox.server.onCall((call, req) => {
    if (call.operation !== 'DescribeSecurityGroups') return;
    const form = new URLSearchParams(req.body.toString('utf8'));
    for (const [, value] of form) {
      if (value === ISOLATION_GROUP.tagValue || value === ALLOW_ALL_GROUP.tagValue) lookups.push(value);
    }
  });
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

describe('quarantine of an instance with two network interfaces in its VPC', () => {
  it('looks each quarantine group up once in the VPC, shapes a new group from its creation, and takes at most 40 state transitions ($1 per 1,000 runs)', async () => {
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c001';
    event.detail.resource.instanceDetails.instanceId = h.account.instance.id;

    await h.put(event);

    const trail = await h.history(event.detail.id);
    expect(trail.find((r) => r.action === 'Complete')?.outcome).toBe('contained');
    // Looked up (absent) and created: once per group, not once per interface, and not read back.
    expect(lookups.filter((v) => v === ISOLATION_GROUP.tagValue)).toHaveLength(1);
    expect(lookups.filter((v) => v === ALLOW_ALL_GROUP.tagValue)).toHaveLength(1);
    // What each run is billed for (Standard workflows: per state transition).
    const { sfn } = h.sandbox.clients;
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    // Named by CloudFormation after the construct (`...PlaybookquarantineinstanceStateMachine...`).
    const machine = stateMachines.find((m) =>
      m.name?.replaceAll('-', '').toLowerCase().includes('quarantineinstance'),
    );
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machine?.stateMachineArn }),
    );
    expect(executions).toHaveLength(1);
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: executions[0]?.executionArn, maxResults: 1000 }),
    );
    const transitions = events.filter((e) => e.type?.endsWith('StateEntered')).length;
    expect(transitions, 'state transitions').toBeLessThanOrEqual(40);
  }, 180_000);
});
