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

let states: Record<string, AslState>;
let startAt: string;
let statements: IamStatement[];
beforeAll(() => {
  const template = synthesizedTemplate();
  const def = definitionOf(template, 'Playbooksnapshotandreimage');
  states = def.States;
  startAt = def.StartAt;
  statements = iamStatementsOf(template, 'PlaybooksnapshotandreimageStateMachineRole');
}, 120_000);

/**
 * The states of a full run: at a poll, the branch where it settled; at a Choice named in
 * `take`, the branch to the state named there; at any other Choice, the first branch.
 */
function runPath(start: string, take: Record<string, string> = {}): string[] {
  return pathFrom(states, start, {
    choose: (name, choice) =>
      take[name] ?? choice.Choices?.find((c) => c.Next.endsWith(': done'))?.Next ?? choice.Choices?.[0]?.Next,
  });
}

const steps = (path: string[]) =>
  path.filter((n) => states[n]?.Type === 'Task' || states[n]?.Type === 'Wait');

describe('snapshot-and-reimage playbook', () => {
  it('records the instance, snapshots and waits, audits, asks a human, replaces the root volume, waits, notifies: in this order', () => {
    const before = [
      'Describe instance',
      'Audit before state',
      'Find evidence snapshots',
      'Create snapshots',
      'Snapshot poll: wait',
      'Read failed snapshots',
      'Read pending snapshots',
      'Read evidence snapshots',
      'Audit snapshots',
      'Reimage approval: wait for approval',
      'Reimage approval: check approval',
    ];
    const after = ['Notify reimaged', 'Audit reimaged'];
    const root = runPath(states[startAt]?.Default as string, {
      'Re-image how?': states['Re-image how?']?.Default as string,
      'Earlier replacement left?': 'Image named?',
    });
    expect(steps(root)).toEqual([
      ...before,
      'Find earlier replacement',
      'Replace root volume',
      'Replace poll: wait',
      'Read replace root volume task',
      'Audit root volume replaced',
      ...after,
    ]);
    // A replacement already made for this finding is reused instead of created.
    expect(states['Earlier replacement usable?']?.Default).toBe('Reuse earlier replacement');
    expect(states['Reuse earlier replacement']?.Next).toBe('Audit replacement reused');
    expect(states['Replace root volume']?.Next).toBe(states['Audit replacement reused']?.Next);
    expect(states['Restore root volume to launch state']?.Next).toBe(
      states['Audit replacement reused']?.Next,
    );

    // The launch-template path: a clean replacement, the original kept as evidence.
    const template = runPath(states[startAt]?.Default as string, {
      'Launched before?': 'Launch replacement',
    });
    expect(steps(template)).toEqual([
      ...before,
      'Find earlier replacement instance',
      'Launch replacement',
      'Launch poll: wait',
      'Read replacement instance',
      'Audit replacement launched',
      ...after,
    ]);
    expect(states['Re-image how?']?.Choices?.[0]).toMatchObject({
      Variable: '$.reimage.source',
      StringEquals: 'launch-template',
    });
  });

  it('snapshots every volume crash-consistently with the finding and instance tags, and keeps the replaced root volume', () => {
    expect(states['Create snapshots']?.Parameters).toMatchObject({
      InstanceSpecification: { 'InstanceId.$': '$.finding.resource.instanceId', ExcludeBootVolume: false },
      CopyTagsFromSource: 'volume',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: expect.arrayContaining([
            { Key: 'remediation:finding', 'Value.$': '$.finding.id' },
            { Key: 'remediation:instance', 'Value.$': '$.finding.resource.instanceId' },
          ]),
        },
      ],
    });
    expect(states['Earlier replacement left?']?.Default).toBe('Image named?');
    // The approver reads what will happen, whichever way: each choice writes a summary.
    for (const name of ['Use golden image', 'Use launch template', 'Use launch state'])
      expect(states[name]?.Parameters?.['summary.$'], name).toMatch(/^States\.Format\(/);
    expect(states['Find earlier replacement']?.Parameters).toMatchObject({
      Filters: [{ Name: 'instance-id', 'Values.$': 'States.Array($.finding.resource.instanceId)' }],
    });
    expect(states['Replace root volume']?.Parameters).toMatchObject({
      'ImageId.$': '$.reimage.imageId',
      DeleteReplacedRootVolume: false,
    });
    // Back to the launch state: no image named, so a deregistered launch AMI cannot fail it.
    expect(states['Restore root volume to launch state']?.Parameters).not.toHaveProperty('ImageId.$');
    expect(states['Restore root volume to launch state']?.Parameters).toMatchObject({
      DeleteReplacedRootVolume: false,
    });
    expect(states['Golden image named?']?.Choices?.[0]).toMatchObject({
      Variable: '$.decision.params.goldenImageId',
      Next: 'Use golden image',
    });
  });

  it('bounds both polls and sends a failed snapshot or task to needs-human', () => {
    for (const poll of ['Snapshot poll', 'Replace poll']) {
      const choices = states[`${poll}: settled?`]?.Choices ?? [];
      expect(choices.map((c) => c.Next)).toEqual([`${poll}: failed`, `${poll}: done`, `${poll}: gave up`]);
      expect(choices[2]).toMatchObject({ Variable: '$.poll.count' });
      expect(states[`${poll}: failed`]?.Next).toBe('Audit needs human');
      expect(states[`${poll}: gave up`]?.Next).toBe('Audit needs human');
    }
  });

  it('retries throttling on every call and sends every other failure to needs-human', () => {
    const calls = Object.entries(states).filter(
      ([, s]) => s.Type === 'Task' && s.Resource?.includes(':aws-sdk:'),
    );
    expect(calls).toHaveLength(16);
    for (const [name, state] of calls) {
      expect(state.Retry?.[0]?.ErrorEquals, name).toContain('Ec2.Ec2Exception');
      expect(state.Catch?.[0], name).toMatchObject({
        ErrorEquals: ['States.ALL'],
        Next: `${name}: stopped`,
      });
      expect(states[`${name}: stopped`]?.Next, name).toBe('Audit needs human');
    }
  });

  it('in dry-run records the plan and calls nothing', () => {
    const dry = states[startAt]?.Choices?.find((c) => c.StringEquals === 'dry-run');
    const calls = runPath(dry?.Next as string)
      .map((n) => callOf(states[n]))
      .filter(Boolean);
    expect(calls).toEqual(['audit:Plan']);
  });

  it('has only the EC2 actions it calls, on the resource types they act on', () => {
    const allows = statements.filter((s) => s.Effect === 'Allow');
    const byAction = new Map<string, string>();
    for (const s of allows) {
      for (const action of statementActions(s))
        byAction.set(action, `${byAction.get(action) ?? ''} ${resourceText(s)}`);
    }
    const ec2 = [...byAction.keys()].filter((a) => a.startsWith('ec2:')).sort();

    expect(ec2).toEqual([
      'ec2:CreateTags',
      'ec2:createReplaceRootVolumeTask',
      'ec2:createSnapshots',
      'ec2:describeInstances',
      'ec2:describeReplaceRootVolumeTasks',
      'ec2:describeSnapshots',
      'ec2:describeTags',
      'ec2:runInstances',
    ]);
    for (const action of ec2) {
      const text = byAction.get(action) ?? '';
      if (/:describe/.test(action)) expect(text.trim(), action).toBe('"*"');
      else expect(text, action).not.toContain('"*"');
    }
    expect(byAction.get('ec2:createSnapshots')).toMatch(/:instance\/\*".*:volume\/\*".*::snapshot\/\*"/);
    expect(byAction.get('ec2:createReplaceRootVolumeTask')).toMatch(
      /:instance\/\*".*:replace-root-volume-task\/\*".*::image\/\*"/,
    );
    expect(byAction.get('ec2:runInstances')).toMatch(/:launch-template\/\*"/);
    const tagging = allows.filter((s) => s.Action === 'ec2:CreateTags').map((s) => s.Condition);
    expect(tagging).toEqual([
      { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
      { StringEquals: { 'ec2:CreateAction': 'CreateReplaceRootVolumeTask' } },
      { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      // The interfaces a launch template may tag.
      { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    ]);
    // A launch template's instance profile may be passed to EC2 only.
    const passRole = allows.find((s) => s.Action === 'iam:PassRole');
    expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
  });
});
