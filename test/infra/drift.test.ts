import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NO_BLOCK_ERRORS } from '#statemachines/block-bucket-public-access.ts';
import {
  type AslState,
  definitionOf,
  type IamStatement,
  iamStatementsOf,
  pathFrom,
  statementActions,
  synthesizedTemplate,
} from './helpers.ts';

let synth: { template: Template };
beforeAll(() => {
  synth = { template: synthesizedTemplate() };
}, 120_000);

/** Every IAM statement of the policies whose logical id starts with `prefix`. */
function statementsOf(prefix: string): IamStatement[] {
  return iamStatementsOf(synth.template, prefix);
}

/**
 * What a playbook's state machine role is allowed to do beyond logging, tracing, auditing and
 * notifying: action → the resources it is allowed on, as JSON text.
 */
function serviceActions(playbookPrefix: string): Record<string, string> {
  return Object.fromEntries(
    statementsOf(`${playbookPrefix}StateMachineRole`)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => statementActions(s).map((action) => [action, JSON.stringify(s.Resource)] as const))
      .filter(([action]) => !/^(logs|xray|dynamodb|sns|lambda):/.test(action))
      // Publishing to the notification topic: its key, and only that key.
      .filter(([action, resource]) => !(action.startsWith('kms:') && /NotificationsKey/.test(resource))),
  );
}

/** The Task states on the path from `start`, audits left out. */
function tasksFrom(states: Record<string, AslState>, start: string): string[] {
  return pathFrom(states, start).filter((n) => states[n]?.Type === 'Task' && !n.startsWith('Audit'));
}

describe('revoke-open-ingress', () => {
  let states: Record<string, AslState>;
  let startAt: string;
  beforeAll(() => {
    ({ States: states, StartAt: startAt } = definitionOf(synth.template, 'Playbookrevokeopeningress'));
  });

  it('reads the group and plans before any mode, then revokes by rule id, reads again and verifies', () => {
    // The finding's group, or (a port probe) the instance's groups, then the same steps.
    const targets = states[startAt]?.Choices?.map((c) => c.Next as string) ?? [];
    expect(targets).toEqual(['The group', "The instance's groups"]);
    for (const target of targets)
      expect(pathFrom(states, target)).toEqual([target, 'Read group rules', 'Plan revocation', 'Mode?']);
    const auto = states['Mode?']?.Default as string;
    // `Anything to revoke?` (the kit's unlessAlready): nothing left skips, otherwise contain.
    const contain = states[auto]?.Default as string;
    expect(contain).toBe('Revoke rules');
    expect(tasksFrom(states, contain)).toEqual(['Read rules again', 'Check revocation']);
    expect(pathFrom(states, contain).at(-1)).toBe('Verified?');
    // One call per group of the plan, each naming that group's sgr- ids.
    const revoke = states['Revoke rules'] as AslState & {
      ItemsPath?: string;
      ItemProcessor?: { States: Record<string, AslState> };
    };
    expect(revoke.ItemsPath).toBe('$.plan.groups');
    const call = revoke.ItemProcessor?.States['Revoke rules of group'];
    expect(call).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:ec2:revokeSecurityGroupIngress',
      Parameters: { 'GroupId.$': '$.groupId', 'SecurityGroupRuleIds.$': '$.ruleIds' },
    });
    expect(call?.Retry?.[0]?.ErrorEquals).toEqual(['Ec2.Ec2Exception']);
  });

  it('may revoke ingress on security groups only, and reads rules on "*" only because EC2 allows no less', () => {
    expect(serviceActions('Playbookrevokeopeningress')['ec2:revokeSecurityGroupIngress']).toMatch(
      /:security-group\/\*/,
    );
    expect(serviceActions('Playbookrevokeopeningress')).toEqual({
      'ec2:describeSecurityGroupRules': '"*"',
      // Authorized on the group even when the call names rule ids: security-group-rule is not a
      // resource type of this action in the service authorization reference.
      'ec2:revokeSecurityGroupIngress': expect.not.stringMatching(/security-group-rule/),
    });
  });

  it('gives the planner function no AWS permissions beyond its own logs, queue and traces', () => {
    const actions = statementsOf('PlaybookrevokeopeningressPlanIngressRevocation').flatMap(statementActions);
    expect(actions.filter((a) => !/^(logs|xray|sqs):/.test(a))).toEqual([]);
  });
});

describe('restart-cloudtrail-logging', () => {
  let states: Record<string, AslState>;
  let startAt: string;
  beforeAll(() => {
    ({ States: states, StartAt: startAt } = definitionOf(synth.template, 'Playbookrestartcloudtraillogging'));
  });

  it('reads the status, starts logging only when stopped, then reads it again and verifies', () => {
    expect(states[startAt]?.Type).toBe('Choice');
    expect(states['Read trail status']?.Next).toBe('Mode?');
    const logging = states[states['Mode?']?.Default as string];
    expect(logging?.Choices?.[0]).toMatchObject({ Variable: '$.state.before.IsLogging' });
    expect(tasksFrom(states, logging?.Default as string)).toEqual(['Start logging', 'Read status again']);
    expect(states['Start logging']?.Resource).toBe('arn:aws:states:::aws-sdk:cloudtrail:startLogging');
  });

  it('may only read trail status and start logging, on trails of its account and region', () => {
    const trailArn = expect.stringMatching(/:cloudtrail:.*:trail\/\*/);
    expect(serviceActions('Playbookrestartcloudtraillogging')).toEqual({
      'cloudtrail:getTrailStatus': trailArn,
      'cloudtrail:startLogging': trailArn,
    });
  });
});

describe('block-bucket-public-access', () => {
  let states: Record<string, AslState>;
  let startAt: string;
  beforeAll(() => {
    ({ States: states, StartAt: startAt } = definitionOf(synth.template, 'Playbookblockbucketpublicaccess'));
  });

  it('takes "no block configured" apart from other errors before anything goes to a human', () => {
    const read = states[startAt];
    expect(startAt).toBe('Read public access block');
    expect(read?.Retry).toBeUndefined();
    expect(read?.Catch?.map((c) => c.ErrorEquals)).toEqual([NO_BLOCK_ERRORS, ['States.ALL']]);
    expect(states[read?.Catch?.[0]?.Next as string]?.Type).toBe('Choice');
  });

  it('puts all four settings on, then reads them back and verifies', () => {
    const auto = states[states['Mode?']?.Default as string];
    expect(tasksFrom(states, auto?.Default as string)).toEqual(['Block public access', 'Read block again']);
    expect(states['Block public access']?.Parameters).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('may only read and put Block Public Access, on buckets', () => {
    const bucketArn = expect.stringMatching(/:s3:::\*/);
    expect(serviceActions('Playbookblockbucketpublicaccess')).toEqual({
      's3:GetBucketPublicAccessBlock': bucketArn,
      's3:PutBucketPublicAccessBlock': bucketArn,
    });
  });
});
