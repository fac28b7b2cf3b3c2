import { App, Stack, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { memberPermissions } from '#infra/constructs/member-access.ts';
import { MemberAwsCall } from '#statemachines/fragments/member-credentials.ts';
import type { StateMachineDefinition } from '#statemachines/playbook.ts';

/** A playbook of a service no playbook used before, beside a call on the product's own resources. */
const newService: StateMachineDefinition = {
  name: 'archive-findings',
  description: 'test',
  build: ({ scope, auditAppender }) =>
    new MemberAwsCall(scope, 'Archive finding', {
      service: 'guardduty',
      action: 'archiveFindings',
      iamAction: 'guardduty:ArchiveFindings',
      iamResources: ['arn:aws:guardduty:us-east-1:111122223333:detector/*'],
    })
      .next(new tasks.LambdaInvoke(scope, 'Audit archived', { lambdaFunction: auditAppender }))
      .next(new sfn.Succeed(scope, 'Done')),
};

describe('the member role of an organization', () => {
  it("gets a new playbook's calls on a finding's resources, and none of its calls on the product's own", () => {
    const stack = new Stack(new App(), 'Member', { env: { account: '444455556666', region: 'us-east-1' } });

    const actions = memberPermissions(stack, [newService]).flatMap((s) =>
      [(s.toStatementJson() as { Action: string | string[] }).Action].flat(),
    );

    expect(actions).toEqual(['guardduty:ArchiveFindings']);
  });
});
