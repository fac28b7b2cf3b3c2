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
  return new sfn.Pass(scope, id, { parameters: denyOlderSessions(ENTERED_TIME), resultPath });
}

/** The issue time as the state language reads it: when the state was entered (retries keep it). */
const ENTERED_TIME = { 'aws:TokenIssueTime.$': '$$.State.EnteredTime' };

/** The policy, with `time` as its `DateLessThan` condition on `aws:TokenIssueTime`. */
function denyOlderSessions(time: Record<string, string>) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RevokeOlderSessions',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: time },
      },
    ],
  };
}

/** Where the issue time goes in {@link sessionDenyPolicyInline}'s template: its one placeholder. */
const ISSUE_TIME = '@issue-time@';

/**
 * The same policy for one state that both sends and records it, without a Pass state of its own
 * (Standard workflows bill each state entered): `document`, the policy as JSON text for the call's
 * `PolicyDocument` (States.Format, whose template must escape `{`, `}` and `'`:
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-generic),
 * and `record`, the same policy as an object for the state's ResultSelector (which may read the
 * Context object: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html).
 * Both take the time the state was entered, which retries keep.
 */
export function sessionDenyPolicyInline(): { document: string; record: Record<string, unknown> } {
  const template = JSON.stringify(denyOlderSessions({ 'aws:TokenIssueTime': ISSUE_TIME }))
    .replace(/[{}'\\]/g, (c) => `\\${c}`)
    .replace(ISSUE_TIME, '{}');
  return {
    document: `States.Format('${template}', $$.State.EnteredTime)`,
    record: denyOlderSessions(ENTERED_TIME),
  };
}
