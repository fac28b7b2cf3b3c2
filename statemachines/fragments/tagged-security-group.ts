import { aws_iam as iam, Stack, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { awsCall } from './aws-call.ts';

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
  /** JSONPath where the DescribeSecurityGroups result is kept while the group is prepared. */
  readonly workPath: string;
  /** JSONPath the group id is written to, as `{ groupId }`. */
  readonly resultPath: string;
  /**
   * Brings the group's rules to what they must be, given the path of the group as
   * DescribeSecurityGroups returned it. Runs for a found and for a new group alike, so a group
   * left half-prepared by an interrupted run is completed. Returns a chain with open ends.
   */
  readonly shapeRules: (groupPath: string) => sfn.Chain;
}

/**
 * Find a security group by tag in a VPC, or create it (tagged at creation), then shape its
 * rules. Idempotent: a second run finds the group. A concurrent creator makes this run's
 * CreateSecurityGroup fail on the duplicate name; it then finds the winner's group. A fixed
 * group id would break across accounts and VPCs (Cloud Custodian issue #1618).
 */
export function findOrCreateTaggedSecurityGroup(
  scope: Construct,
  props: TaggedSecurityGroupProps,
): sfn.Chain {
  const stack = Stack.of(scope);
  const groupArns = stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: '*' });
  const vpcArns = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: '*' });
  const group = `${props.workPath}.groups[0]`;
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
      resultPath: props.workPath,
    });
  const find = describe(`Find ${props.label}`);
  const findAgain = describe(`Find ${props.label} again`);
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
  });
  // Lost a race on the name (InvalidGroup.Duplicate), or the create failed: look once more.
  create.addCatch(findAgain, { errors: ['Ec2.Ec2Exception'], resultPath: sfn.JsonPath.DISCARD });
  const ready = new sfn.Pass(scope, `${capitalized(props.label)} ready`, {
    parameters: { 'groupId.$': `${group}.GroupId` },
    resultPath: props.resultPath,
  });
  const shaped = props.shapeRules(group).next(ready);
  const unavailable = new sfn.Fail(scope, `${capitalized(props.label)} unavailable`, {
    error: 'SecurityGroupUnavailable',
    cause: `Could neither find nor create the ${props.label} (${props.tag.key}=${props.tag.value}) in the VPC`,
  });
  const found = new sfn.Choice(scope, `Found ${props.label}?`)
    .when(sfn.Condition.isPresent(`${group}.GroupId`), shaped)
    .otherwise(create.next(findAgain));
  findAgain.next(
    new sfn.Choice(scope, `Found ${props.label} again?`)
      .when(sfn.Condition.isPresent(`${group}.GroupId`), shaped)
      .otherwise(unavailable),
  );
  find.next(found);
  return sfn.Chain.custom(find, [ready], ready);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
