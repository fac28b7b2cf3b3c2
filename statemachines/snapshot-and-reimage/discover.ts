import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { isAbsent } from '../fragments/conditions.ts';
import { DESCRIBED_INSTANCE, describeInstance } from '../fragments/describe-instance.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';

const INSTANCE = DESCRIBED_INSTANCE;

/**
 * Read what re-imaging replaces, into `$.before` and the audit trail: the image it was launched
 * from, the root device, the attached volumes, and its tags, which include
 * `aws:ec2launchtemplate:id` and `:version` when it was launched from a launch template.
 */
export function discover(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  const describe = describeInstance(steps);
  // An untagged instance has no `Tags` at all; the before state lists none rather than failing.
  const noTags = new sfn.Choice(scope, 'Instance tagged?')
    .when(
      isAbsent(`${INSTANCE}.Tags`),
      new sfn.Pass(scope, 'No instance tags', {
        result: sfn.Result.fromArray([]),
        resultPath: `${INSTANCE}.Tags`,
      }),
    )
    .afterwards({ includeOtherwise: true });
  const before = new sfn.Pass(scope, 'Record before state', {
    parameters: {
      'instanceId.$': INSTANCE_ID,
      'imageId.$': `${INSTANCE}.ImageId`,
      'rootDeviceName.$': `${INSTANCE}.RootDeviceName`,
      'volumes.$': `${INSTANCE}.BlockDeviceMappings`,
      'tags.$': `${INSTANCE}.Tags`,
    },
    resultPath: '$.before',
  });
  return describe
    .next(noTags)
    .next(before)
    .next(steps.audit('Audit before state', 'RecordBeforeState', 'succeeded', { beforePath: '$.before' }));
}
