import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Props of {@link arnOrId}. */
export interface ArnOrIdProps {
  /** What is named, in the states' names (`trail`, `key`). */
  readonly noun: string;
  /** Where the finding's resource keeps the ARN and the other identifier. */
  readonly arnPath: string;
  readonly otherPath: string;
  /** What the other identifier is called (`name`, `id`). */
  readonly otherLabel: string;
  /** Where `{ id }` is put. */
  readonly resultPath: string;
}

/**
 * `{ id }` at `resultPath`: the resource's ARN when the finding carries it, else its other
 * identifier. The APIs this serves take either, but a resource of another Region (or account) is
 * named only by its ARN, so the ARN comes first.
 */
export function arnOrId(scope: Construct, props: ArnOrIdProps): sfn.Chain {
  const { noun, resultPath } = props;
  const title = noun.charAt(0).toUpperCase() + noun.slice(1);
  return new sfn.Choice(scope, `${title} ARN known?`)
    .when(
      sfn.Condition.isPresent(props.arnPath),
      new sfn.Pass(scope, `Use ${noun} ARN`, { parameters: { 'id.$': props.arnPath }, resultPath }),
    )
    .otherwise(
      new sfn.Pass(scope, `Use ${noun} ${props.otherLabel}`, {
        parameters: { 'id.$': props.otherPath },
        resultPath,
      }),
    )
    .afterwards();
}

/**
 * `$.trail.id`: the trail's ARN, else its name. CloudTrail's calls take either (`Name`: "the name
 * or the ARN of the trail"); a trail of another Region is named only by its ARN.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
 */
export function trailIdentifier(scope: Construct): sfn.Chain {
  return arnOrId(scope, {
    noun: 'trail',
    arnPath: '$.finding.resource.trailArn',
    otherPath: '$.finding.resource.trailName',
    otherLabel: 'name',
    resultPath: '$.trail',
  });
}
