import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * `$.trail.id`: the trail's ARN when the finding carries it, else its name. CloudTrail's calls
 * take either (`Name`: "the name or the ARN of the trail"), but a trail of another region is
 * named only by its ARN, so the ARN comes first.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
 */
export function trailIdentifier(scope: Construct): sfn.Chain {
  return new sfn.Choice(scope, 'Trail ARN known?')
    .when(
      sfn.Condition.isPresent('$.finding.resource.trailArn'),
      new sfn.Pass(scope, 'Use trail ARN', {
        parameters: { 'id.$': '$.finding.resource.trailArn' },
        resultPath: '$.trail',
      }),
    )
    .otherwise(
      new sfn.Pass(scope, 'Use trail name', {
        parameters: { 'id.$': '$.finding.resource.trailName' },
        resultPath: '$.trail',
      }),
    )
    .afterwards();
}
