import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The cdk-nag `AwsSolutions-IAM5` finding id of a run-time resource pattern such as
 * `ec2:{region}:{account}:instance/*`, rendered the way cdk-nag prints it for this stack:
 * `<AWS::Region>` while the stack is environment-agnostic, `us-east-1` once `cdk deploy` (or
 * `CDK_DEFAULT_REGION`) pins it. An acknowledgement written with the token form alone would
 * stop matching, and fail synthesis, as soon as the stack has a concrete environment.
 */
export function resourceWildcardFinding(scope: IConstruct, pattern: string): string {
  const stack = Stack.of(scope);
  const render = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const arn = `arn:${render(stack.partition, 'Partition')}:${pattern
    .replaceAll('{region}', render(stack.region, 'Region'))
    .replaceAll('{account}', render(stack.account, 'AccountId'))}`;
  return `AwsSolutions-IAM5[Resource::${arn}]`;
}
