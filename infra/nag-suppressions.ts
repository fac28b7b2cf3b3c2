import { type Stack, Validations } from 'aws-cdk-lib';

/**
 * Every cdk-nag finding we acknowledge, each with the reason it is acceptable.
 * Kept in one place so a reviewer can read all exceptions at once.
 */
export function suppressNagFindings(stack: Stack): void {
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray trace segments and Step Functions log delivery have no resource-level permissions; AWS documents Resource "*" for them.',
  });
}
