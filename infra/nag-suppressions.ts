import { type Stack, Validations } from 'aws-cdk-lib';
import { resourceWildcardFinding } from '#statemachines/fragments/wildcard-acknowledgement.ts';

/**
 * Every cdk-nag finding we acknowledge, each with the reason it is acceptable.
 * Kept in one place so a reviewer can read all exceptions at once.
 */
export function suppressNagFindings(stack: Stack): void {
  Validations.of(stack).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray trace segments and Step Functions log delivery have no resource-level permissions; AWS documents Resource "*" for them.',
    },
    {
      id: resourceWildcardFinding(stack, 'iam::{account}:user/*'),
      reason:
        'Playbooks act on the IAM user a finding names, known only at run time; the role gets only the few actions each playbook calls, and protected users are explicitly denied.',
    },
  );
}
