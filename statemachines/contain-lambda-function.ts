import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { facts, REVOKE_FUNCTION_SESSIONS_POLICY } from '#shared/playbooks/contain-lambda-function.ts';
import { type PlaybookSteps, playbookSteps } from './fragments/playbook-steps.ts';
import { revokeRoleSessionsOf, roleNameOf } from './fragments/role-session-revocation.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const FUNCTION_ARN = '$.finding.resource.functionArn';

/**
 * Contain a Lambda function GuardDuty reports as compromised: keep its code and configuration as
 * evidence (recorded, never changed), throttle it to zero reserved concurrency so nothing runs
 * its code (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), and
 * deny its execution role's sessions issued before now, AWS's documented revocation of temporary
 * credentials (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html).
 * Reserved concurrency applies to the function as a whole, every version and alias included
 * (https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html).
 */
export const containLambdaFunction: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record the function as it is',
        does: 'Reads the function named by the finding (configuration, version, code SHA-256, execution role) and its reserved concurrency, and keeps them in the audit trail as evidence.',
        states: ['Read function', 'Read reserved concurrency', 'Audit function recorded'],
        ifItStops: 'Nothing was changed. Check that the function still exists in the Lambda console.',
      },
      {
        title: 'Throttle the function',
        does: 'Sets its reserved concurrency to 0: Lambda refuses every invocation, so the code GuardDuty reported no longer runs.',
        states: ['Throttle function'],
        ifItStops:
          'The function may still run. In the Lambda console, open the function, Configuration, Concurrency, and choose "Throttle".',
      },
      {
        title: "End its role's older sessions",
        does: `Reads the execution role and adds the inline policy ${REVOKE_FUNCTION_SESSIONS_POLICY} to it: it refuses every session of the role issued before now, so credentials the code took stop working. An IAM Identity Center or service-linked role is left alone, and the audit trail says why.`,
        states: ['Read function role', 'Revoke function role sessions'],
        ifItStops:
          'The function is throttled, but credentials it took may still work. In the IAM console, open the execution role and choose "Revoke active sessions".',
      },
      {
        title: 'Roll back the alias (only with the rule parameter rollbackAlias)',
        does: 'Reads the alias the rule names, and points it at the version before the one it named (N-1): the last deployment is rolled back.',
        states: ['Read alias', 'Read previous version', 'Roll back alias'],
        ifItStops:
          'The function is throttled and its sessions denied, but the alias was not moved (it names $LATEST or version 1, or the previous version was deleted). Point the alias at a known-good version in the Lambda console.',
      },
      {
        title: 'Check the throttle is in place',
        does: 'Reads the reserved concurrency back and confirms it is 0.',
        states: ['Read concurrency back'],
        ifItStops:
          'The throttle was set but could not be confirmed. Look at the function in the Lambda console.',
      },
    ],
    checkAfterwards: [
      'The function shows reserved concurrency 0 and its invocations are throttled.',
      'Compare the recorded code SHA-256 with your last deployment: a different hash means the code was replaced.',
      `The execution role has the inline policy ${REVOKE_FUNCTION_SESSIONS_POLICY}.`,
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It puts the reserved concurrency back as it was and removes the session policy.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const { functions } = steps.arns;
    Validations.of(scope).acknowledge(
      {
        id: resourceWildcardFinding(scope, 'lambda:{region}:{account}:function:*'),
        reason:
          'The function is named by the finding at run time; the playbook may only read it and set or read its reserved concurrency.',
      },
      {
        id: resourceWildcardFinding(scope, 'iam::{account}:role/*'),
        reason:
          "The function's execution role is known at run time; the playbook may only read it and put its one session-deny inline policy, and protected roles are explicitly denied.",
      },
    );

    const readFunction = steps.call('Read function', {
      service: 'lambda',
      action: 'getFunction',
      parameters: { 'FunctionName.$': FUNCTION_ARN },
      iamResources: [functions],
      resultSelector: {
        'functionName.$': '$.Configuration.FunctionName',
        'functionArn.$': '$.Configuration.FunctionArn',
        'version.$': '$.Configuration.Version',
        'codeSha256.$': '$.Configuration.CodeSha256',
        'role.$': '$.Configuration.Role',
        'runtime.$': '$.Configuration.Runtime',
        'handler.$': '$.Configuration.Handler',
        'lastModified.$': '$.Configuration.LastModified',
        'revisionId.$': '$.Configuration.RevisionId',
      },
      resultPath: '$.evidence',
    });
    // GetFunctionConcurrency answers {} for a function without reserved concurrency.
    const readConcurrency = (id: string, resultPath: string) =>
      steps.call(id, {
        service: 'lambda',
        action: 'getFunctionConcurrency',
        parameters: { 'FunctionName.$': '$.evidence.functionArn' },
        iamResources: [functions],
        resultPath,
      });
    const before = (id: string, reserved: Record<string, unknown>) =>
      new sfn.Pass(scope, id, {
        parameters: { 'functionName.$': '$.evidence.functionName', ...reserved },
        resultPath: '$.before',
      });
    const recordBefore = new sfn.Choice(scope, 'Reserved concurrency set?')
      .when(
        sfn.Condition.isPresent('$.concurrency.ReservedConcurrentExecutions'),
        before('Before: reserved', { 'reservedConcurrency.$': '$.concurrency.ReservedConcurrentExecutions' }),
      )
      .otherwise(before('Before: unreserved', {}))
      .afterwards();
    const throttle = steps.call('Throttle function', {
      service: 'lambda',
      action: 'putFunctionConcurrency',
      parameters: { 'FunctionName.$': '$.evidence.functionArn', ReservedConcurrentExecutions: 0 },
      iamResources: [functions],
      resultPath: '$.after.concurrency',
    });
    const roleName = new sfn.Pass(scope, 'Execution role name', {
      parameters: { 'name.$': roleNameOf('$.evidence.role'), 'arn.$': '$.evidence.role' },
      resultPath: '$.executionRole',
    });
    const revoke = revokeRoleSessionsOf(steps, {
      roleNamePath: '$.executionRole.name',
      policyName: REVOKE_FUNCTION_SESSIONS_POLICY,
      kind: 'function',
      rolePath: '$.role',
      denyPolicyPath: '$.after.denyPolicy',
    });
    const rollback = rollbackAlias(scope, steps, functions).afterwards({ includeOtherwise: true });
    const contain = readFunction
      .next(readConcurrency('Read reserved concurrency', '$.concurrency'))
      .next(recordBefore)
      .next(
        steps.audit('Audit function recorded', 'RecordFunction', 'succeeded', { afterPath: '$.evidence' }),
      )
      .next(throttle)
      .next(
        steps.audit('Audit function throttled', 'PutFunctionConcurrency', 'succeeded', {
          beforePath: '$.before',
          afterPath: '$.after.concurrency',
        }),
      )
      .next(roleName)
      .next(revoke)
      .next(rollback)
      .next(readConcurrency('Read concurrency back', '$.verify'))
      .next(
        steps.verify(
          sfn.Condition.and(
            sfn.Condition.isPresent('$.verify.ReservedConcurrentExecutions'),
            sfn.Condition.numberEquals('$.verify.ReservedConcurrentExecutions', 0),
          ),
          { beforePath: '$.before', afterPath: '$.verify' },
          'Lambda function throttled and its role sessions revoked',
        ),
      );

    return steps.byMode({
      plan: new sfn.Pass(scope, 'Build plan', {
        parameters: {
          'functionArn.$': FUNCTION_ARN,
          actions: [
            'GetFunction (evidence: configuration, version, code SHA-256)',
            'PutFunctionConcurrency 0',
            `PutRolePolicy:${REVOKE_FUNCTION_SESSIONS_POLICY} on the execution role (Deny * when aws:TokenIssueTime < now)`,
          ],
        },
        resultPath: '$.plan',
      }),
      proposedActions: [
        facts.steps[0],
        sfn.JsonPath.format(
          'Throttle Lambda function {} to reserved concurrency 0: every invocation is refused',
          sfn.JsonPath.stringAt('$.finding.resource.functionName'),
        ),
        ...facts.steps.slice(2),
      ],
      ifDenied: 'The playbook ends: the function and its role stay as they are.',
      contain,
    });
  },
};

const ALIAS = '$.decision.params.rollbackAlias';

/**
 * With the rule parameter `rollbackAlias`, point that alias at the version before the one it
 * names. Lambda numbers published versions in sequence (https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html),
 * so the previous deployment is N-1; that it still exists is checked (GetFunction of it) before
 * the alias moves. An alias on $LATEST or version 1 has no previous version: a person decides.
 */
function rollbackAlias(scope: Construct, steps: PlaybookSteps, functions: string): sfn.Choice {
  const readAlias = steps.call('Read alias', {
    service: 'lambda',
    action: 'getAlias',
    parameters: { 'FunctionName.$': '$.evidence.functionArn', 'Name.$': ALIAS },
    iamResources: [functions],
    resultSelector: {
      'name.$': '$.Name',
      'functionVersion.$': '$.FunctionVersion',
      'aliasArn.$': '$.AliasArn',
    },
    resultPath: '$.alias',
  });
  const noPrevious = steps.stop('No previous version', {
    Error: 'NoPreviousVersion',
    'Cause.$':
      "States.Format('Alias {} names version {}: there is no earlier published version to roll back to. The function is throttled; point the alias at a known-good version by hand.', $.alias.name, $.alias.functionVersion)",
  });
  const previous = new sfn.Pass(scope, 'Previous version', {
    parameters: {
      'functionName.$': '$.evidence.functionArn',
      'version.$': "States.Format('{}', States.MathAdd(States.StringToJson($.alias.functionVersion), -1))",
    },
    resultPath: '$.rollback',
  });
  const readPrevious = steps.call('Read previous version', {
    service: 'lambda',
    action: 'getFunction',
    parameters: { 'FunctionName.$': '$.evidence.functionArn', 'Qualifier.$': '$.rollback.version' },
    iamResources: [functions],
    resultSelector: { 'codeSha256.$': '$.Configuration.CodeSha256' },
    resultPath: '$.rollback.previous',
  });
  const update = steps.call('Roll back alias', {
    service: 'lambda',
    action: 'updateAlias',
    parameters: {
      'FunctionName.$': '$.evidence.functionArn',
      'Name.$': '$.alias.name',
      'FunctionVersion.$': '$.rollback.version',
    },
    iamResources: [functions],
    resultPath: sfn.JsonPath.DISCARD,
  });
  const rollback = readAlias.next(
    new sfn.Choice(scope, 'Earlier version?')
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.alias.functionVersion', '$LATEST'),
          sfn.Condition.stringEquals('$.alias.functionVersion', '1'),
        ),
        noPrevious,
      )
      .otherwise(
        previous
          .next(readPrevious)
          .next(update)
          .next(
            steps.audit('Audit alias rolled back', 'UpdateAlias', 'succeeded', {
              beforePath: '$.alias',
              afterPath: '$.rollback',
            }),
          ),
      )
      .afterwards(),
  );
  return new sfn.Choice(scope, 'Roll back an alias?').when(sfn.Condition.isPresent(ALIAS), rollback);
}
