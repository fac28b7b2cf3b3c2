import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AslState,
  callOf,
  definitionOf,
  type IamStatement,
  iamStatementsOf,
  pathFrom,
  resourceText,
  statementActions,
  synthesizedTemplate,
} from './helpers.ts';

let states: Record<
  string,
  AslState & { ItemProcessor?: { StartAt: string; States: Record<string, AslState> } }
>;
let startAt: string;
let statements: IamStatement[];
let readerStatements: IamStatement[];
beforeAll(() => {
  const template = synthesizedTemplate();
  readerStatements = iamStatementsOf(template, 'PlaybookquarantineinstanceReadQuarantineStateRole');
  const def = definitionOf(template, 'Playbookquarantineinstance');
  states = def.States as typeof states;
  startAt = def.StartAt;
  statements = iamStatementsOf(template, 'PlaybookquarantineinstanceStateMachineRole');
}, 120_000);

/** The states of the full containment, taking every Choice's first branch (the "do it" branch). */
function containmentPath(
  all: Record<string, AslState>,
  start: string,
  take: Record<string, string> = {},
): string[] {
  return pathFrom(all, start, { choose: (name, choice) => take[name] ?? choice.Choices?.[0]?.Next });
}

describe('quarantine-instance playbook', () => {
  it('reads the instance, isolates, reads the rest at once, cuts credentials, preserves evidence, leaves service, notifies: in this order', () => {
    // A follow-up named, the instance not quarantined before for another finding, and its
    // profile association settled when read: hand over.
    const path = containmentPath(states, states[startAt]?.Default as string, {
      'Follow-up named?': 'Start follow-up playbook',
    });

    const steps = path.filter(
      (n) => ['Task', 'Map'].includes(states[n]?.Type ?? '') && !n.startsWith('Audit'),
    );

    // What stops the attacker (the network) first; the reads it does not need run at once, after.
    // On a VPC's first quarantine its two groups are created and shaped before any ENI moves.
    expect(steps).toEqual([
      'Claim resource',
      'Describe instance',
      'Find isolation group',
      'Create isolation group',
      'Revoke new isolation group egress',
      'Find allow-all group',
      'Create allow-all group',
      'Open new allow-all ingress',
      'Open new allow-all IPv6 egress',
      'Isolate network interfaces',
      'Read what quarantine changes',
      'Revoke instance role sessions',
      'Disassociate instance profile',
      'Enable termination protection',
      'Stop on shutdown',
      'Keep volumes',
      'Tag instance',
      'Detach from Auto Scaling group',
      'Deregister from target groups',
      'Notify quarantined',
      'Start follow-up playbook',
    ]);
    // The four reads after the cut are one function's, in one state.
    const reads = states['Read what quarantine changes'];
    expect(path.indexOf('Read what quarantine changes')).toBe(path.indexOf('Audit isolated') + 1);
    expect(reads?.Type).toBe('Task');
    // Given the instance as read before the cut, and each interface's groups as the isolation recorded them.
    expect(reads?.Parameters).toMatchObject({
      'instance.$': '$.discovery.instance',
      'networkInterfaces.$': '$.after.networkInterfaces',
    });
    // After the reads, one choice for the credential and evidence calls and one for leaving service.
    expect(path.filter((n) => states[n]?.Type === 'Choice').slice(-3)).toEqual([
      'Credentials and evidence to change?',
      'Leave Auto Scaling group?',
      'Follow-up named?',
    ]);
    // The isolation is recorded at once (the containment); every later call, each its own record,
    // with `contained` in one step after the phases; then the hand-over.
    expect(path.filter((n) => n.startsWith('Audit'))).toEqual([
      'Audit isolated',
      'Audit quarantined',
      'Audit handed over',
    ]);
  });

  it('detaches without decrementing capacity and moves each ENI to the allow-all group before the no-rule group', () => {
    expect(states['Detach from Auto Scaling group']?.Parameters).toMatchObject({
      ShouldDecrementDesiredCapacity: false,
    });
    const isolate = states['Isolate network interfaces'];
    expect(isolate).toMatchObject({ Type: 'Map', MaxConcurrency: 1 });
    const inner = isolate?.ItemProcessor?.States ?? {};
    expect(inner['Move to allow-all group']?.Next).toBe('Move to isolation group');
    expect(inner['Move to isolation group']?.Parameters).toEqual({
      'NetworkInterfaceId.$': '$.eni.networkInterfaceId',
      'Groups.$': 'States.Array($.isolationGroupId)',
    });
  });

  it('retries throttling on every call and sends every other failure to needs-human', () => {
    // The reads before the approval gate ("Risk: ...") go on when they fail: the approver is asked anyway.
    const calls = (all: Record<string, AslState>) =>
      Object.entries(all).filter(
        ([name, s]) => s.Type === 'Task' && s.Resource?.includes(':aws-sdk:') && !name.startsWith('Risk: '),
      );
    const outer = calls(states);
    expect(outer.length).toBeGreaterThan(10);
    for (const [name, state] of outer) {
      expect(state.Retry?.[0]?.ErrorEquals.length, name).toBeGreaterThan(0);
      // A specific, expected error may come first (e.g. the follow-up already started); the last catcher takes all the rest.
      // Through a Pass naming the step, so the notification links its place in the runbook.
      expect(state.Catch?.at(-1), name).toMatchObject({
        ErrorEquals: ['States.ALL'],
        Next: `${name}: stopped`,
      });
      // Straight to needs-human, or first through the record of the calls before it in its phase.
      const next = states[`${name}: stopped`]?.Next as string;
      expect(next === 'Audit needs human' || states[next]?.Next === 'Audit needs human', name).toBe(true);
    }
    // A refused call records the calls made before it (the state before first), then hands over.
    expect(states['Tag instance: stopped']?.Next).toBe('Audit quarantine steps before Tag instance');
    expect(states['Keep volumes']?.Catch?.[0]).toMatchObject({
      Next: 'Audit quarantine steps before Keep volumes',
    });
    expect(states['Deregister from target groups']?.Catch?.[0]).toMatchObject({
      Next: 'Audit quarantine steps before Deregister',
    });
    expect(states['Audit quarantine steps before Deregister']?.Next).toBe('Audit needs human');
    // The reads' function: retried on Lambda's own errors, any failure to needs-human.
    expect(states['Read what quarantine changes']?.Retry?.[0]?.ErrorEquals).toContain(
      'Lambda.ServiceException',
    );
    expect(states['Read what quarantine changes']?.Catch?.at(-1)).toMatchObject({
      ErrorEquals: ['States.ALL'],
      Next: 'Read what quarantine changes: stopped',
    });
    expect(states['Read what quarantine changes: stopped']?.Next).toBe('Audit needs human');
    expect(states['Isolate network interfaces']?.Catch?.[0]).toMatchObject({ Next: 'Audit needs human' });
    expect(states['Detach from Auto Scaling group']?.Retry?.[0]?.ErrorEquals).toContain(
      'AutoScaling.AutoScalingException',
    );
  });

  it('in approve mode only reads what the instance serves, then waits at the approval gate before any step', () => {
    const approve = states[startAt]?.Choices?.find((c) => c.StringEquals === 'approve');
    expect(approve?.Next).toBe('Risk: start');
    const reads = Object.entries(states).filter(
      ([name, s]) => name.startsWith('Risk: ') && s.Type === 'Task',
    );
    expect(reads.map(([, s]) => callOf(s)).sort()).toEqual([
      'arn:aws:states:::aws-sdk:autoscaling:describeAutoScalingInstances',
      'arn:aws:states:::aws-sdk:ec2:describeInstances',
      'arn:aws:states:::aws-sdk:elasticloadbalancingv2:describeTargetGroups',
      'arn:aws:states:::aws-sdk:iam:getInstanceProfile',
    ]);
    // A read that fails is recorded and the next goes on; none leads to needs-human.
    for (const [name, s] of reads) expect(s.Catch?.[0]?.Next, name).toMatch(/^Risk: .* ?read$/);
    expect(states['Risk: Read target groups']?.Catch?.[0]?.Next).toBe('Risk: target groups read');
    expect(states['Risk: read']?.Next).toMatch(/^Quarantine approval/);
  });

  it('reads after the cut through a function whose role holds exactly its reads, in a single account', () => {
    const actions = readerStatements
      .filter((st) => st.Effect === 'Allow')
      .flatMap((st) => [st.Action].flat().map((a) => `${a} ${resourceText(st)}`));
    // Besides the logging and tracing grants every function has.
    expect(actions.filter((a) => !/^(logs|xray):/.test(a)).sort()).toEqual([
      'autoscaling:DescribeAutoScalingInstances "*"',
      'ec2:DescribeIamInstanceProfileAssociations "*"',
      'ec2:DescribeTags "*"',
      'elasticloadbalancing:DescribeTargetGroups "*"',
      'elasticloadbalancing:DescribeTargetHealth "*"',
      expect.stringMatching(/^iam:GetInstanceProfile .*:instance-profile\/\*"/),
    ]);
  });

  it('in dry-run records the plan and calls nothing', () => {
    const dry = states[startAt]?.Choices?.find((c) => c.StringEquals === 'dry-run');
    const path = containmentPath(states, dry?.Next as string);
    expect(path.map((n) => callOf(states[n])).filter(Boolean)).toEqual(['audit:Plan']);
  });

  it('has only the actions it calls, on the resource types they act on', () => {
    const allows = statements.filter((s) => s.Effect === 'Allow');
    const byAction = new Map<string, string[]>();
    for (const s of allows) {
      for (const action of statementActions(s))
        byAction.set(action, [...(byAction.get(action) ?? []), resourceText(s)]);
    }
    const ours = [...byAction.keys()].filter((a) => /^(ec2|autoscaling|elasticloadbalancing|iam):/.test(a));
    expect(ours.sort()).toEqual([
      'autoscaling:describeAutoScalingInstances',
      'autoscaling:detachInstances',
      'ec2:CreateTags',
      'ec2:authorizeSecurityGroupEgress',
      'ec2:authorizeSecurityGroupIngress',
      'ec2:createSecurityGroup',
      'ec2:createTags',
      'ec2:describeInstances',
      'ec2:describeSecurityGroups',
      'ec2:disassociateIamInstanceProfile',
      'ec2:modifyInstanceAttribute',
      'ec2:modifyNetworkInterfaceAttribute',
      'ec2:revokeSecurityGroupEgress',
      'ec2:revokeSecurityGroupIngress',
      'elasticloadbalancing:deregisterTargets',
      'elasticloadbalancing:describeTargetGroups',
      'elasticloadbalancing:describeTargetHealth',
      'iam:getInstanceProfile',
      'iam:putRolePolicy',
    ]);
    // Only reads that have no resource-level permissions get "*".
    for (const [action, resources] of byAction) {
      if (!ours.includes(action)) continue;
      const text = resources.join(' ');
      if (/:describe/.test(action)) expect(text, action).toBe('"*"');
      else expect(text, action).not.toContain('"*"');
    }
    const scoped = (action: string, pattern: RegExp) =>
      expect(byAction.get(action)?.join(' '), action).toMatch(pattern);
    scoped('ec2:modifyInstanceAttribute', /:instance\/\*"/);
    scoped('ec2:disassociateIamInstanceProfile', /:instance\/\*"/);
    scoped('ec2:createTags', /:instance\/\*"/);
    scoped('ec2:revokeSecurityGroupEgress', /:security-group\/\*"/);
    scoped('ec2:modifyNetworkInterfaceAttribute', /:network-interface\/\*"/);
    scoped('autoscaling:detachInstances', /:autoScalingGroup:\*:autoScalingGroupName\/\*"/);
    scoped('elasticloadbalancing:deregisterTargets', /:targetgroup\/\*\/\*"/);
    scoped('iam:putRolePolicy', /:role\/\*"/);
    scoped('iam:getInstanceProfile', /:instance-profile\/\*"/);
    // It may start only the follow-up the policy names, and read the status of a claim's holder.
    expect(byAction.get('states:StartExecution')).toEqual([
      expect.stringMatching(/^\{"Ref":"Playbooksnapshotandreimage\w+"\}$/),
    ]);
    expect(byAction.get('states:DescribeExecution')?.join(' ')).toMatch(/:execution:\*:\*/);
    const tagOnCreate = allows.find((s) => s.Action === 'ec2:CreateTags');
    expect(tagOnCreate?.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } });
  });
});
