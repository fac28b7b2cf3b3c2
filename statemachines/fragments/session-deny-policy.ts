import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * A Pass state that builds, at `resultPath`, the inline policy denying every action to sessions
 * whose credentials were issued before this state ran (`aws:TokenIssueTime` earlier than now).
 * Stolen temporary credentials stop working at once; fresh ones issued afterwards are allowed.
 * A deny on TokenIssueTime does not stop a long-term access key (it has no issue time), which is
 * why playbooks deactivate the key itself too.
 */
export function sessionDenyPolicy(scope: Construct, id: string, resultPath: string): sfn.Pass {
  return new sfn.Pass(scope, id, {
    parameters: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RevokeOlderSessions',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime.$': '$$.State.EnteredTime' } },
        },
      ],
    },
    resultPath,
  });
}
