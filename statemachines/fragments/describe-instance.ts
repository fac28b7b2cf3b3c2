import type { aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { AwsCallProps } from './aws-call.ts';
import { INSTANCE_ID } from './finding-paths.ts';
import type { PlaybookSteps } from './playbook-steps.ts';

/** Where {@link describeInstance} puts the instance, as DescribeInstances describes it. */
export const DESCRIBED_INSTANCE = '$.discovery.instance';

/**
 * Read the finding's instance (DescribeInstances, which supports no resource-level permissions:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html) into
 * {@link DESCRIBED_INSTANCE}: its network interfaces and their groups, volumes, image, profile and
 * tags, the state before anything is changed.
 */
export function describeInstance(steps: PlaybookSteps): tasks.CallAwsService {
  return steps.call('Describe instance', {
    service: 'ec2',
    action: 'describeInstances',
    parameters: { 'InstanceIds.$': `States.Array(${INSTANCE_ID})` },
    iamResources: ['*'],
    resultSelector: { 'instance.$': '$.Reservations[0].Instances[0]' },
    resultPath: '$.discovery',
  });
}

/**
 * The request that reads one tag of the finding's instance into `resultPath` as `{ tags }`: a
 * list that is simply empty without the tag, where a JSONPath filter over the instance's tag
 * list matching nothing would be an error. DescribeTags has no resource-level permissions.
 */
export function instanceTagRead(key: string, resultPath: string): AwsCallProps {
  return {
    service: 'ec2',
    action: 'describeTags',
    parameters: {
      Filters: [
        { Name: 'resource-id', 'Values.$': `States.Array(${INSTANCE_ID})` },
        { Name: 'key', Values: [key] },
      ],
    },
    iamResources: ['*'],
    resultSelector: { 'tags.$': '$.Tags' },
    resultPath,
  };
}
