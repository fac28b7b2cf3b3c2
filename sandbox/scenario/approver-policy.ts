import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { SandboxClients } from '../clients.ts';

/**
 * What a person needs in IAM to use `remediate approvals`: invoke the approval decision function
 * (the CLI's only call; it finds the function with ListFunctions unless
 * REMEDIATION_APPROVALS_FUNCTION names it). Whether the decision counts is the policy's
 * `approvals.approvers` list, checked by the function against the caller's verified ARN.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 */
export function approverPolicy(accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: `arn:aws:lambda:*:${accountId}:function:*ApprovalsDecision*`,
      },
      { Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' },
    ],
  });
}

/** Give the IAM user `userName` the approver policy (inline, `remediation-approver`). */
export async function grantApprover(
  clients: SandboxClients,
  userName: string,
  accountId: string,
): Promise<void> {
  await clients.iam.send(
    new PutUserPolicyCommand({
      UserName: userName,
      PolicyName: 'remediation-approver',
      PolicyDocument: approverPolicy(accountId),
    }),
  );
}
