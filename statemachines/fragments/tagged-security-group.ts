import { aws_iam as iam, Stack, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { awsCall } from './aws-call.ts';
import { isAbsent } from './conditions.ts';
import { catchToHuman } from './needs-human.ts';

/** How to find or create one security group, recognised by a tag in a VPC rather than by a fixed id. */
export interface TaggedSecurityGroupProps {
  /** Names the states, e.g. `isolation group` gives `Find isolation group`, `Create isolation group`. */
  readonly label: string;
  /** The name it is created with; names are unique per VPC, so two concurrent creators cannot both win. */
  readonly groupName: string;
  readonly description: string;
  /** The tag that identifies the group in any account and VPC. */
  readonly tag: { readonly key: string; readonly value: string };
  /** JSONPath of the VPC id, e.g. `$.vpcId`. */
  readonly vpcIdPath: string;
  /**
   * JSONPath the group is written to, as `{ groups: [group] }`: the group as DescribeSecurityGroups
   * returned it, or for a group just created, as CreateSecurityGroup answered (its id, no rules
   * listed). Its id is then at {@link taggedGroupId}.
   */
  readonly resultPath: string;
  /** True when a found group's rules are not what they must be, given the group's path. */
  readonly needsShaping: (groupPath: string) => sfn.Condition;
  /**
   * Brings a found group's rules to what they must be, given the group's path, so a group left
   * half-prepared by an interrupted run is completed. Returns a chain with open ends.
   */
  readonly shapeRules: (groupPath: string) => sfn.Chain;
  /**
   * Gives a group just created the rules it must have, from what AWS documents a new group to
   * hold (one egress rule allowing all IPv4 traffic) rather than from a read-back.
   */
  readonly shapeNew: (groupIdPath: string) => sfn.Chain;
  /**
   * Where a failed call, or a group that can be neither found nor created, goes: each call is
   * caught to it (`catchToHuman`) and the group's absence is recorded at `$.error` first.
   * @default none: calls are not caught (a Map or Parallel around them catches) and the absence is a Fail state
   */
  readonly human?: sfn.IChainable;
}

/** JSONPath of the group id that {@link findOrCreateTaggedSecurityGroup} wrote at `resultPath`. */
export function taggedGroupId(resultPath: string): string {
  return `${resultPath}.groups[0].GroupId`;
}

/**
 * Find a security group by tag in a VPC, or create it (tagged at creation), then shape its
 * rules. Idempotent: a second run finds the group, and a group whose rules are already right
 * costs one read and one choice. A concurrent creator makes this run's CreateSecurityGroup fail
 * on the duplicate name; it then finds the winner's group. A fixed group id would break across
 * accounts and VPCs (Cloud Custodian issue #1618).
 */
export function findOrCreateTaggedSecurityGroup(
  scope: Construct,
  props: TaggedSecurityGroupProps,
): sfn.Chain {
  const stack = Stack.of(scope);
  const groupArns = stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: '*' });
  const vpcArns = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: '*' });
  const group = `${props.resultPath}.groups[0]`;
  const guard = <T extends sfn.TaskStateBase>(task: T): T =>
    props.human ? catchToHuman(task, props.human) : task;
  const describe = (id: string) =>
    awsCall(scope, id, {
      service: 'ec2',
      action: 'describeSecurityGroups',
      parameters: {
        Filters: [
          { Name: 'vpc-id', 'Values.$': `States.Array(${props.vpcIdPath})` },
          { Name: `tag:${props.tag.key}`, Values: [props.tag.value] },
        ],
      },
      // DescribeSecurityGroups has no resource-level permissions.
      iamResources: ['*'],
      resultSelector: { 'groups.$': '$.SecurityGroups' },
      resultPath: props.resultPath,
    });
  const find = guard(describe(`Find ${props.label}`));
  const findAgain = guard(describe(`Find ${props.label} again`));
  const create = awsCall(scope, `Create ${props.label}`, {
    service: 'ec2',
    action: 'createSecurityGroup',
    parameters: {
      GroupName: props.groupName,
      Description: props.description,
      'VpcId.$': props.vpcIdPath,
      TagSpecifications: [
        {
          ResourceType: 'security-group',
          Tags: [
            { Key: props.tag.key, Value: props.tag.value },
            { Key: 'Name', Value: props.groupName },
          ],
        },
      ],
    },
    iamResources: [groupArns, vpcArns],
    additionalIamStatements: [
      // Tag-on-create needs CreateTags, limited to tagging the group this call creates.
      new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [groupArns],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
      }),
    ],
    // The answer (GroupId, Tags) in the found group's place, so what follows reads one path
    // (nested intrinsics: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
    resultSelector: { 'groups.$': 'States.Array($)' },
    resultPath: props.resultPath,
  });
  // Lost a race on the name (InvalidGroup.Duplicate), or the create failed: look once more.
  create.addCatch(findAgain, { errors: ['Ec2.Ec2Exception'], resultPath: sfn.JsonPath.DISCARD });
  guard(create);
  const shaped = props.shapeRules(group);
  const error = {
    Error: 'SecurityGroupUnavailable',
    Cause: `Could neither find nor create the ${props.label} (${props.tag.key}=${props.tag.value}) in the VPC`,
  };
  const unavailableId = `${capitalized(props.label)} unavailable`;
  const unavailable = props.human
    ? new sfn.Pass(scope, unavailableId, {
        result: sfn.Result.fromObject(error),
        resultPath: '$.error',
      }).next(props.human)
    : new sfn.Fail(scope, unavailableId, { error: error.Error, cause: error.Cause });
  // One choice: the rules are read only once the first has shown the group is there.
  const found = new sfn.Choice(scope, `Found ${props.label}?`)
    .when(
      isAbsent(`${group}.GroupId`),
      // The answer is checked before its id is read: a read that misses is a States.Runtime error,
      // which no catcher takes.
      create.next(
        new sfn.Choice(scope, `Created ${props.label}?`)
          .when(sfn.Condition.isPresent(`${group}.GroupId`), props.shapeNew(`${group}.GroupId`))
          .otherwise(unavailable),
      ),
    )
    .when(props.needsShaping(group), shaped)
    .afterwards({ includeOtherwise: true });
  const foundAgain = new sfn.Choice(scope, `Found ${props.label} again?`)
    .when(isAbsent(`${group}.GroupId`), unavailable)
    .when(props.needsShaping(group), shaped)
    .afterwards({ includeOtherwise: true });
  findAgain.next(foundAgain);
  find.next(found);
  // The shaping states are reached from both choices: each open end once.
  const ends = [...new Set([...found.endStates, ...foundAgain.endStates])];
  return sfn.Chain.custom(find, ends, find);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
