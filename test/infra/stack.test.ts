import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AslState,
  callOf,
  definitionOf,
  eventFixture,
  eventRules,
  iamStatementsOf,
  pathFrom,
  resourceText,
  rulesMatching,
  statementActions,
  synthesizedTemplate,
} from './helpers.ts';

let synth: { template: Template };
beforeAll(() => {
  synth = { template: synthesizedTemplate() };
}, 120_000);

describe('finding rules', () => {
  it('routes GuardDuty findings with a narrow pattern to the classifier, with a DLQ and retries', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] },
      Targets: [
        Match.objectLike({
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
        }),
      ],
    });
  });

  it('listens only for the CloudTrail calls the policy reacts to', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventName: [
            'AuthorizeSecurityGroupIngress',
            'ModifySecurityGroupRules',
            'StopLogging',
            'DeleteTrail',
            'PutBucketPolicy',
            'PutBucketAcl',
            'DeleteBucketPublicAccessBlock',
            'PutBucketPublicAccessBlock',
            'PutAccountPublicAccessBlock',
            'DeleteAccountPublicAccessBlock',
          ],
        },
      },
    });
  });

  it('catches root key creation and console login', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        detail: { eventName: ['CreateAccessKey', 'ConsoleLogin'], userIdentity: { type: ['Root'] } },
      },
    });
  });

  it('takes only NON_COMPLIANT Config changes and imported Security Hub findings', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.config'],
        detail: { newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } },
      },
    });
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.securityhub'], 'detail-type': ['Security Hub Findings - Imported'] },
    });
    // One rule per finding source (infra/constructs/finding-router.ts), Malware Protection scan results among them.
    synth.template.resourceCountIs('AWS::Events::Rule', 9);
  });

  it('lets only findings of the named AWS services through the Security Hub rule that can lead to containment, and the rest through a second rule', () => {
    const rules = eventRules(synth.template).filter(
      ([, rule]) => rule.Properties.EventPattern.source?.[0] === 'aws.securityhub',
    );
    const matching = (productArn: string) => {
      const event = eventFixture('securityhub-iam-access-key.json');
      event.detail.findings[0].ProductArn = productArn;
      return rulesMatching(rules, event);
    };

    expect(rules).toHaveLength(2);
    for (const arn of [
      'arn:aws:securityhub:us-east-1::product/aws/guardduty',
      'arn:aws-cn:securityhub:cn-north-1::product/aws/securityhub',
      'arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/inspector',
    ])
      expect(matching(arn)).toEqual(['RouterSecurityHub']);
    for (const arn of [
      'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
      'arn:aws:securityhub:us-east-1:733251395267:product/alertlogic/althreatmanagement',
      'arn:aws:securityhub:us-east-1::product/aws/health',
    ])
      expect(matching(arn)).toEqual(['RouterSecurityHubOtherProducts']);
  });
});

describe('classify function', () => {
  it('runs nodejs22.x on arm64 with tracing and a dead-letter queue', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
  });

  it('may only read and conditionally update the counters table (its blast-radius slots), nothing else there', () => {
    const countersId = Object.keys(synth.template.findResources('AWS::DynamoDB::Table')).find((id) =>
      id.startsWith('Counters'),
    );
    expect(countersId).toBeDefined();
    const onCounters = iamStatementsOf(synth.template, 'ClassifyRole').filter((s) =>
      resourceText(s).includes(countersId as string),
    );
    expect(onCounters.flatMap(statementActions).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  });
});

describe('audit trail table', () => {
  it('is on-demand, point-in-time recoverable, deletion protected, encrypted, retained', () => {
    synth.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byResource' })],
      }),
    });
  });

  it('can only be appended to: no principal may update or delete audit records', () => {
    const auditTableId = Object.keys(synth.template.findResources('AWS::DynamoDB::Table')).find((id) =>
      id.startsWith('AuditTrail'),
    );
    expect(auditTableId).toBeDefined();
    const statementsOnAudit = iamStatementsOf(synth.template, '').filter((s) =>
      resourceText(s).includes(auditTableId as string),
    );
    expect(statementsOnAudit.length).toBeGreaterThan(0);
    const actions = statementsOnAudit.flatMap(statementActions);
    expect(actions).toContain('dynamodb:PutItem');
    expect(actions.filter((a) => /UpdateItem|DeleteItem|BatchWrite|\*/.test(a))).toEqual([]);
  });
});

describe('disable-access-key playbook', () => {
  let states: Record<string, AslState>;
  let startAt: string;
  beforeAll(() => {
    const def = definitionOf(synth.template, 'Playbookdisableaccesskey');
    states = def.States;
    startAt = def.StartAt;
  });

  it('contains in this order: read the key, deactivate it, revoke sessions, tag the user, notify', () => {
    const choice = states[startAt];
    expect(choice?.Type).toBe('Choice');
    // A long-term (AKIA) key: the "Session key?" choice's default.
    const path = pathFrom(states, choice?.Default as string, { throughChoices: true }).filter(
      (n) => !n.startsWith('Audit') && states[n]?.Type === 'Task',
    );
    expect(path).toEqual([
      'Read key state',
      'Deactivate access key',
      'Revoke sessions',
      'Tag user',
      'Notify contained',
    ]);
    expect(states['Deactivate access key']?.Resource).toBe('arn:aws:states:::aws-sdk:iam:updateAccessKey');
    expect(states['Deactivate access key']?.Parameters).toMatchObject({
      Status: 'Inactive',
      'AccessKeyId.$': '$.finding.resource.accessKeyId',
      'UserName.$': '$.finding.resource.userName',
    });
  });

  it('audits after every containment step and at the end', () => {
    const path = pathFrom(states, states[startAt]?.Default as string, { throughChoices: true });
    const audits = path.filter((n) => n.startsWith('Audit'));
    expect(audits).toEqual([
      'Audit key deactivated',
      'Audit sessions revoked',
      'Audit user tagged',
      'Audit contained',
    ]);
    // Through the trail's appender, which links each record into the finding's hash chain.
    expect(audits.map((name) => callOf(states[name]))).toEqual([
      'audit:UpdateAccessKey',
      'audit:PutUserPolicy',
      'audit:TagUser',
      'audit:Complete',
    ]);
  });

  it('retries throttling with jittered backoff and sends every other failure to needs-human', () => {
    for (const name of ['Read key state', 'Deactivate access key', 'Revoke sessions', 'Tag user']) {
      const state = states[name];
      expect(state?.Retry?.[0]?.ErrorEquals).toContain('Iam.IamException');
      expect(state?.Retry?.[0]?.JitterStrategy).toBe('FULL');
      expect(state?.Catch?.[0]).toEqual({
        ErrorEquals: ['States.ALL'],
        Next: `${name}: stopped`,
        ResultPath: '$.error',
      });
      // The step that stopped and its place in the runbook go with the needs-human notification.
      expect(states[`${name}: stopped`]).toMatchObject({
        Type: 'Pass',
        Result: {
          step: name,
          runbook: expect.stringMatching(/^docs\/runbooks\/disable-access-key\.md#stopped-at-/),
        },
        ResultPath: '$.error.stoppedAt',
        Next: 'Audit needs human',
      });
    }
    expect(pathFrom(states, 'Audit needs human')).toEqual(['Audit needs human', 'Stopped at known?']);
    expect(states['Stopped at known?']?.Choices?.[0]?.Next).toBe('Notify needs human');
    expect(pathFrom(states, 'Notify needs human')).toEqual(['Notify needs human', 'Needs human']);
    expect(states['Needs human']?.Type).toBe('Fail');
  });

  it('in dry-run records the plan and calls nothing that mutates', () => {
    const dry = states[startAt]?.Choices?.find((c) => c.StringEquals === 'dry-run');
    const path = pathFrom(states, dry?.Next as string, { throughChoices: true });
    const calls = path.map((n) => callOf(states[n])).filter(Boolean);
    expect(calls).toEqual(['audit:Plan']);
  });

  it('has least privilege: IAM actions on users only, and never on protected users', () => {
    const statements = iamStatementsOf(synth.template, 'PlaybookdisableaccesskeyStateMachineRole');
    expect(statements.length).toBeGreaterThan(0);
    const iamAllows = statements.filter(
      (s) => s.Effect === 'Allow' && statementActions(s).some((a) => a.startsWith('iam:')),
    );
    const iamActions = iamAllows.flatMap(statementActions).sort();
    // getAccessKeyLastUsed: read before the approval gate, so the approver sees the key's last use.
    expect(iamActions).toEqual([
      'iam:getAccessKeyLastUsed',
      'iam:listAccessKeys',
      'iam:putUserPolicy',
      'iam:tagUser',
      'iam:updateAccessKey',
    ]);
    for (const s of iamAllows) expect(resourceText(s)).toMatch(/:user\/\*"/);
    const deny = statements.find((s) => s.Effect === 'Deny');
    // Every IAM action, at the root path and under any path (IAM matches a Resource with its path).
    expect(deny?.Action).toBe('iam:*');
    expect(JSON.stringify(deny?.Resource)).toContain(':user/break-glass*');
    expect(JSON.stringify(deny?.Resource)).toContain(':user/*/break-glass*');
    // No wildcard action is granted; a wildcard is only ever denied.
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.filter((s) => statementActions(s).some((a) => a === '*' || a.endsWith(':*')))).toEqual([]);
  });

  it('logs every execution and traces it with X-Ray', () => {
    synth.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });
});
