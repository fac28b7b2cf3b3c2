import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { isAbsent } from '../fragments/conditions.ts';
import { DESCRIBED_INSTANCE } from '../fragments/describe-instance.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { findOrCreateTaggedSecurityGroup } from '../fragments/tagged-security-group.ts';

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
    group: string,
    permissions: { fromPath: string } | readonly Record<string, unknown>[],
  ) =>
    awsCall(scope, id, {
      service: 'ec2',
      action,
      parameters: {
        'GroupId.$': `${group}.GroupId`,
        ...('fromPath' in permissions
          ? { 'IpPermissions.$': permissions.fromPath }
          : { IpPermissions: permissions }),
      },
      iamResources: [arns.securityGroups],
    });
  /** Both groups in the VPC at `$.vpcId`; `suffix` keeps the state names of each use apart. */
  const groupsIn = (suffix: string) => {
    const securityGroup = (kind: typeof ISOLATION_GROUP | typeof ALLOW_ALL_GROUP, label: string) => ({
      label: `${label}${suffix}`,
      groupName: kind.name,
      tag: { key: ISOLATION_TAG, value: kind.tagValue },
      vpcIdPath: '$.vpcId',
      workPath: '$.found',
    });
    const isolation = findOrCreateTaggedSecurityGroup(scope, {
      ...securityGroup(ISOLATION_GROUP, 'isolation group'),
      description: 'Quarantine: no rules, no traffic in or out. Managed by auto-remediation.',
      resultPath: '$.isolationGroup',
      // A new group comes with an allow-all egress rule; any rule found on the group goes.
      shapeRules: (group) =>
        new sfn.Choice(scope, `Isolation group has egress rules?${suffix}`)
          .when(
            sfn.Condition.isPresent(`${group}.IpPermissionsEgress[0]`),
            rules(`Revoke isolation egress${suffix}`, 'revokeSecurityGroupEgress', group, {
              fromPath: `${group}.IpPermissionsEgress`,
            }),
          )
          .afterwards({ includeOtherwise: true })
          .next(
            new sfn.Choice(scope, `Isolation group has ingress rules?${suffix}`)
              .when(
                sfn.Condition.isPresent(`${group}.IpPermissions[0]`),
                rules(`Revoke isolation ingress${suffix}`, 'revokeSecurityGroupIngress', group, {
                  fromPath: `${group}.IpPermissions`,
                }),
              )
              .afterwards({ includeOtherwise: true }),
          ),
    });
    const allowAll = findOrCreateTaggedSecurityGroup(scope, {
      ...securityGroup(ALLOW_ALL_GROUP, 'allow-all group'),
      description:
        'Quarantine step: all traffic, so existing connections become untracked. Managed by auto-remediation.',
      resultPath: '$.allowAllGroup',
      // A new group has only the IPv4 egress rule: add all ingress, and IPv6 egress.
      shapeRules: (group) =>
        new sfn.Choice(scope, `Allow-all group open?${suffix}`)
          .when(
            isAbsent(`${group}.IpPermissions[0]`),
            rules(`Open allow-all ingress${suffix}`, 'authorizeSecurityGroupIngress', group, [
              { IpProtocol: '-1', ...ALL_IPV4, ...ALL_IPV6 },
            ]).next(
              rules(`Open allow-all IPv6 egress${suffix}`, 'authorizeSecurityGroupEgress', group, [
                { IpProtocol: '-1', ...ALL_IPV6 },
              ]),
            ),
          )
          .afterwards({ includeOtherwise: true }),
    });
    return { isolation, allowAll };
  };

  // The instance's VPC: both groups, in a Parallel of one branch that sees only the VPC, so the
  // groups' listings stay out of the execution's state. One after the other: the isolation group
  // first, so the model's first change (creating it, on a VPC's first quarantine) comes earliest.
  const own = groupsIn('');
  const prepare = new sfn.Parallel(scope, 'Prepare isolation groups', {
    parameters: withTarget(scope, { 'vpcId.$': `${DESCRIBED_INSTANCE}.VpcId` }),
    resultSelector: {
      'vpcId.$': '$[0].vpcId',
      'isolationGroup.$': '$[0].isolationGroup',
      'allowAllGroup.$': '$[0].allowAllGroup',
    },
    resultPath: '$.instanceVpcGroups',
  }).branch(own.isolation.next(own.allowAll));
  prepare.addCatch(steps.human, { resultPath: '$.error' });

  const moveTo = (id: string, groupIdPath: string) =>
    awsCall(scope, id, {
      service: 'ec2',
      action: 'modifyNetworkInterfaceAttribute',
      parameters: {
        'NetworkInterfaceId.$': '$.networkInterfaceId',
        'Groups.$': `States.Array(${groupIdPath})`,
      },
      // The resource types the service authorization reference lists for this action: the interface
      // (required), its groups, instance and subnet (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
      iamResources: [arns.networkInterfaces, arns.securityGroups, arns.instances, arns.subnets],
    });
  const result = (id: string, changed: boolean) =>
    new sfn.Pass(scope, id, {
      parameters: {
        'networkInterfaceId.$': '$.networkInterfaceId',
        'vpcId.$': '$.vpcId',
        'originalGroups.$': '$.groups',
        'groups.$': '$.groups',
        'isolationGroupId.$': '$.isolationGroup.groupId',
        changed,
      },
    });
  const move = moveTo('Move to allow-all group', '$.allowAllGroup.groupId')
    .next(moveTo('Move to isolation group', '$.isolationGroup.groupId'))
    .next(result('Interface isolated', true));
  // Already alone in the isolation group (a second finding): change nothing. A Choice takes its
  // first matching rule, so the group id is compared only once the rule before has shown it is there.
  const isolated = new sfn.Choice(scope, 'Only in isolation group?')
    .when(sfn.Condition.or(sfn.Condition.isPresent('$.groups[1]'), isAbsent('$.groups[0].GroupId')), move)
    .when(
      sfn.Condition.stringEqualsJsonPath('$.groups[0].GroupId', '$.isolationGroup.groupId'),
      result('Interface already isolated', false),
    )
    .otherwise(move);
  const other = groupsIn(' (other VPC)');
  const perInterface = new sfn.Choice(scope, 'In the instance VPC?')
    .when(sfn.Condition.stringEqualsJsonPath('$.vpcId', '$.instanceVpcId'), isolated)
    .otherwise(other.isolation.next(other.allowAll).next(isolated));
  const each = new sfn.Map(scope, 'Isolate network interfaces', {
    // Straight from DescribeInstances: each ENI's groups are read before it is moved.
    itemsPath: `${DESCRIBED_INSTANCE}.NetworkInterfaces`,
    itemSelector: withTarget(scope, {
      'networkInterfaceId.$': '$$.Map.Item.Value.NetworkInterfaceId',
      'vpcId.$': '$$.Map.Item.Value.VpcId',
      'groups.$': '$$.Map.Item.Value.Groups',
      'instanceVpcId.$': '$.instanceVpcGroups.vpcId',
      'isolationGroup.$': '$.instanceVpcGroups.isolationGroup',
      'allowAllGroup.$': '$.instanceVpcGroups.allowAllGroup',
    }),
    maxConcurrency: 1,
    resultPath: '$.after.networkInterfaces',
  }).itemProcessor(perInterface);
  each.addCatch(steps.human, { resultPath: '$.error' });
  return prepare.next(each).next(
    steps.audit('Audit isolated', 'IsolateNetworkInterfaces', 'succeeded', {
      beforePath: `${DESCRIBED_INSTANCE}.NetworkInterfaces`,
      afterPath: '$.after.networkInterfaces',
    }),
  );
}
