import type { aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
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
