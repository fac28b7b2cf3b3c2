import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { isAbsent } from '../fragments/conditions.ts';
import { DESCRIBED_INSTANCE } from '../fragments/describe-instance.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { findOrCreateTaggedSecurityGroup, taggedGroupId } from '../fragments/tagged-security-group.ts';
import { SESSION_DENY_POLICY_FIELD } from './records.ts';

/** The tag that identifies the playbook's security groups in each VPC; values below. */
export const ISOLATION_TAG = 'remediation:isolation';
/** The group with no rules at all: an ENI in it alone sends and receives nothing. */
export const ISOLATION_GROUP = { name: 'remediation-isolation', tagValue: 'deny-all' } as const;
/** The group that allows all traffic both ways, the step that untracks existing connections. */
export const ALLOW_ALL_GROUP = { name: 'remediation-untrack-connections', tagValue: 'allow-all' } as const;

const ALL_IPV4 = { IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
const ALL_IPV6 = { Ipv6Ranges: [{ CidrIpv6: '::/0' }] };

/**
 * Isolate every ENI of the instance. Security groups are stateful: changing them does not cut a
 * connection already tracked. A flow allowed by an all-traffic rule to and from 0.0.0.0/0 (or
 * ::/0) in both directions is not tracked, so each ENI first moves to the allow-all group (its
 * connections become untracked), then to the no-rule group, which stops them at once.
 *
 * Both groups are prepared once in the instance's VPC, before any ENI moves: the ENIs
 * of an instance are almost always all in its VPC. An ENI of another VPC (a multi-VPC
 * attachment) gets its own VPC's groups prepared in its iteration. One ENI at a time, so two
 * ENIs of one other VPC never race to create its groups. The Map's output lists each ENI's
 * original groups, for undo.
 */
export function isolateNetwork(steps: PlaybookSteps): sfn.Chain {
  const { scope, arns } = steps;
  /** A rule change on a group: the permissions are either literal or read from `fromPath`. */
  const rules = (
    id: string,
    action: string,
    groupIdPath: string,
    permissions: { fromPath: string } | readonly Record<string, unknown>[],
    human: sfn.IChainable | undefined,
  ) => {
    const call = awsCall(scope, id, {
      service: 'ec2',
      action,
      parameters: {
        'GroupId.$': groupIdPath,
        ...('fromPath' in permissions
          ? { 'IpPermissions.$': permissions.fromPath }
          : { IpPermissions: permissions }),
      },
      iamResources: [arns.securityGroups],
    });
    return human ? catchToHuman(call, human) : call;
  };
  /**
   * Both groups in the VPC at `vpcIdPath`, written under `groupsPath`; `suffix` keeps the state
   * names of each use apart. With `human`, every call is caught to it (outside any Map).
   */
  const groupsIn = (suffix: string, vpcIdPath: string, groupsPath: string, human?: sfn.IChainable) => {
    const securityGroup = (kind: typeof ISOLATION_GROUP | typeof ALLOW_ALL_GROUP, label: string) => ({
      label: `${label}${suffix}`,
      groupName: kind.name,
      tag: { key: ISOLATION_TAG, value: kind.tagValue },
      vpcIdPath,
      ...(human ? { human } : {}),
    });
    const isolation = findOrCreateTaggedSecurityGroup(scope, {
      ...securityGroup(ISOLATION_GROUP, 'isolation group'),
      description: 'Quarantine: no rules, no traffic in or out. Managed by auto-remediation.',
      resultPath: `${groupsPath}.isolationGroup`,
      // Any rule found on the group goes.
      needsShaping: (group) =>
        sfn.Condition.or(
          sfn.Condition.isPresent(`${group}.IpPermissionsEgress[0]`),
          sfn.Condition.isPresent(`${group}.IpPermissions[0]`),
        ),
      shapeRules: (group) =>
        new sfn.Choice(scope, `Isolation group has egress rules?${suffix}`)
          .when(
            sfn.Condition.isPresent(`${group}.IpPermissionsEgress[0]`),
            rules(
              `Revoke isolation egress${suffix}`,
              'revokeSecurityGroupEgress',
              `${group}.GroupId`,
              { fromPath: `${group}.IpPermissionsEgress` },
              human,
            ),
          )
          .afterwards({ includeOtherwise: true })
          .next(
            new sfn.Choice(scope, `Isolation group has ingress rules?${suffix}`)
              .when(
                sfn.Condition.isPresent(`${group}.IpPermissions[0]`),
                rules(
                  `Revoke isolation ingress${suffix}`,
                  'revokeSecurityGroupIngress',
                  `${group}.GroupId`,
                  { fromPath: `${group}.IpPermissions` },
                  human,
                ),
              )
              .afterwards({ includeOtherwise: true }),
          ),
      // A new group has exactly one rule, egress to all IPv4 addresses, and no ingress
      // (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html): revoke it.
      shapeNew: (groupId) =>
        sfn.Chain.start(
          rules(
            `Revoke new isolation group egress${suffix}`,
            'revokeSecurityGroupEgress',
            groupId,
            [{ IpProtocol: '-1', ...ALL_IPV4 }],
            human,
          ),
        ),
    });
    // A new group has only the IPv4 egress rule: add all ingress, and IPv6 egress.
    const open = (groupId: string, label: string) =>
      rules(
        `Open ${label}allow-all ingress${suffix}`,
        'authorizeSecurityGroupIngress',
        groupId,
        [{ IpProtocol: '-1', ...ALL_IPV4, ...ALL_IPV6 }],
        human,
      ).next(
        rules(
          `Open ${label}allow-all IPv6 egress${suffix}`,
          'authorizeSecurityGroupEgress',
          groupId,
          [{ IpProtocol: '-1', ...ALL_IPV6 }],
          human,
        ),
      );
    const allowAll = findOrCreateTaggedSecurityGroup(scope, {
      ...securityGroup(ALLOW_ALL_GROUP, 'allow-all group'),
      description:
        'Quarantine step: all traffic, so existing connections become untracked. Managed by auto-remediation.',
      resultPath: `${groupsPath}.allowAllGroup`,
      needsShaping: (group) => isAbsent(`${group}.IpPermissions[0]`),
      shapeRules: (group) => open(`${group}.GroupId`, ''),
      shapeNew: (groupId) => open(groupId, 'new '),
    });
    return isolation.next(allowAll);
  };

  // The instance's VPC: the isolation group first, so the first change (creating it, on a VPC's
  // first quarantine) comes earliest. What the lookups keep is the groups themselves, a few rules each.
  const instanceVpc = '$.instanceVpcGroups';
  const prepare = groupsIn('', `${DESCRIBED_INSTANCE}.VpcId`, instanceVpc, steps.human);

  /** The iteration's record of one ENI, as undo reads it (`eni`), and the groups it moves through. */
  const ENI = '$.eni';
  const moveTo = (id: string, groupIdPath: string, outputPath?: string) =>
    awsCall(scope, id, {
      service: 'ec2',
      action: 'modifyNetworkInterfaceAttribute',
      parameters: {
        'NetworkInterfaceId.$': `${ENI}.networkInterfaceId`,
        'Groups.$': `States.Array(${groupIdPath})`,
      },
      // The resource types the service authorization reference lists for this action: the interface
      // (required), its groups, instance and subnet (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
      iamResources: [arns.networkInterfaces, arns.securityGroups, arns.instances, arns.subnets],
      ...(outputPath ? { outputPath } : {}),
    });
  // The record (`changed: true`) is what the last move hands on: no state of its own.
  const move = moveTo('Move to allow-all group', '$.allowAllGroupId').next(
    moveTo('Move to isolation group', '$.isolationGroupId', ENI),
  );
  const alreadyIsolated = new sfn.Pass(scope, 'Interface already isolated', {
    parameters: {
      'networkInterfaceId.$': `${ENI}.networkInterfaceId`,
      'vpcId.$': `${ENI}.vpcId`,
      'originalGroups.$': `${ENI}.originalGroups`,
      'groups.$': `${ENI}.groups`,
      'isolationGroupId.$': `${ENI}.isolationGroupId`,
      changed: false,
    },
  });
  // An ENI of another VPC: prepare that VPC's groups, then decide again with them as its own.
  const otherVpc = '$.otherVpcGroups';
  const useOtherVpcGroups = new sfn.Pass(scope, 'Use the other VPC groups', {
    parameters: withTarget(scope, {
      eni: {
        'networkInterfaceId.$': `${ENI}.networkInterfaceId`,
        'vpcId.$': `${ENI}.vpcId`,
        'originalGroups.$': `${ENI}.originalGroups`,
        'groups.$': `${ENI}.groups`,
        'isolationGroupId.$': taggedGroupId(`${otherVpc}.isolationGroup`),
        changed: true,
      },
      'instanceVpcId.$': `${ENI}.vpcId`,
      'isolationGroupId.$': taggedGroupId(`${otherVpc}.isolationGroup`),
      'allowAllGroupId.$': taggedGroupId(`${otherVpc}.allowAllGroup`),
    }),
  });
  // One choice per ENI. It takes its first matching rule, so the group id is compared only once
  // the rule before has shown it is there; already alone in the isolation group (a second
  // finding): change nothing.
  const perInterface = new sfn.Choice(scope, 'Interface to isolate?');
  perInterface
    .when(
      sfn.Condition.not(sfn.Condition.stringEqualsJsonPath(`${ENI}.vpcId`, '$.instanceVpcId')),
      groupsIn(' (other VPC)', `${ENI}.vpcId`, otherVpc).next(useOtherVpcGroups).next(perInterface),
    )
    .when(
      sfn.Condition.or(sfn.Condition.isPresent(`${ENI}.groups[1]`), isAbsent(`${ENI}.groups[0].GroupId`)),
      move,
    )
    .when(
      sfn.Condition.stringEqualsJsonPath(`${ENI}.groups[0].GroupId`, '$.isolationGroupId'),
      alreadyIsolated,
    )
    .otherwise(move);
  const each = steps.each(
    'Isolate network interfaces',
    {
      // Straight from DescribeInstances: each ENI's groups are read before it is moved.
      itemsPath: `${DESCRIBED_INSTANCE}.NetworkInterfaces`,
      itemSelector: withTarget(scope, {
        eni: {
          'networkInterfaceId.$': '$$.Map.Item.Value.NetworkInterfaceId',
          'vpcId.$': '$$.Map.Item.Value.VpcId',
          'originalGroups.$': '$$.Map.Item.Value.Groups',
          'groups.$': '$$.Map.Item.Value.Groups',
          'isolationGroupId.$': taggedGroupId(`${instanceVpc}.isolationGroup`),
          changed: true,
        },
        'instanceVpcId.$': `${DESCRIBED_INSTANCE}.VpcId`,
        'isolationGroupId.$': taggedGroupId(`${instanceVpc}.isolationGroup`),
        'allowAllGroupId.$': taggedGroupId(`${instanceVpc}.allowAllGroup`),
      }),
      maxConcurrency: 1,
      // `$.after` starts here: the interfaces as moved, and the session deny policy's place, empty
      // until the credentials phase sends one; the audit step after the phases reads it on every
      // run (records.ts), and a run with no role sends none.
      resultSelector: { 'networkInterfaces.$': '$', [SESSION_DENY_POLICY_FIELD]: {} },
      resultPath: '$.after',
    },
    perInterface,
  );
  return prepare.next(each).next(
    steps.audit('Audit isolated', 'IsolateNetworkInterfaces', 'succeeded', {
      beforePath: `${DESCRIBED_INSTANCE}.NetworkInterfaces`,
      afterPath: '$.after.networkInterfaces',
    }),
  );
}
