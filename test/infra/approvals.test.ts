import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { playbooks } from '#statemachines/registry.ts';
import {
  type AslState,
  definitionOf,
  type IamStatement,
  statementActions,
  synthesizedTemplate,
} from './helpers.ts';

let synth: { template: Template };
beforeAll(() => {
  synth = { template: synthesizedTemplate() };
}, 120_000);

type PolicyResource = {
  Properties: { PolicyDocument: { Statement: IamStatement[] }; Roles: { Ref: string }[] };
};

const actionsOf = statementActions;
const logicalIdOf = (prefix: string, type: string) => {
  const id = Object.keys(synth.template.findResources(type)).find((candidate) =>
    candidate.startsWith(prefix),
  );
  if (!id) throw new Error(`no ${type} ${prefix}*`);
  return id;
};

describe('state machine logs', () => {
  it('log every event of every state machine without execution data, where the task tokens are', () => {
    const machines = Object.entries(synth.template.findResources('AWS::StepFunctions::StateMachine'));
    const logging = machines.map(([id, m]) => [id, m.Properties.LoggingConfiguration]);

    // The playbooks and undo, the only ones that wait for task tokens today, and any added later.
    expect(machines).toHaveLength(playbooks.length + 1);
    expect(logging).toEqual(
      machines.map(([id]) => [
        id,
        expect.objectContaining({
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [expect.anything()],
        }),
      ]),
    );
  });
});

describe('approvals infrastructure', () => {
  it('lets only the decision function answer task tokens, on "*" as the service authorization reference requires', () => {
    const policies = Object.values(synth.template.findResources('AWS::IAM::Policy')) as PolicyResource[];
    const answering = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.filter((s) =>
        actionsOf(s).some((a) => a.startsWith('states:SendTask') || a === 'states:*' || a === '*'),
      ).map((s) => ({ roles: p.Properties.Roles.map((r) => r.Ref), statement: s })),
    );
    expect(answering).toHaveLength(1);
    expect(answering[0]?.roles).toEqual([logicalIdOf('ApprovalsDecisionRole', 'AWS::IAM::Role')]);
    expect(actionsOf(answering[0]!.statement).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
    ]);
    // SendTaskSuccess/Failure have no resource type: an ARN here would never match in AWS.
    expect(answering[0]?.statement.Resource).toBe('*');
  });

  it('serves the approval page from a function URL of the decision function (the signed link is the credential)', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalIdOf('ApprovalsDecision', 'AWS::Lambda::Function'), 'Arn'] },
    });
    synth.template.resourceCountIs('AWS::Lambda::Url', 1);
  });

  it('keeps the link secret in Secrets Manager, readable by the two approval functions only', () => {
    const secret = logicalIdOf('ApprovalsLinkSecret', 'AWS::SecretsManager::Secret');
    const policies = Object.values(synth.template.findResources('AWS::IAM::Policy')) as PolicyResource[];
    const readers = policies
      .filter((p) =>
        p.Properties.PolicyDocument.Statement.some(
          (s) =>
            actionsOf(s).includes('secretsmanager:GetSecretValue') &&
            JSON.stringify(s.Resource).includes(secret),
        ),
      )
      .flatMap((p) => p.Properties.Roles.map((r) => r.Ref))
      .sort();

    expect(readers).toEqual(
      [
        logicalIdOf('ApprovalsDecisionRole', 'AWS::IAM::Role'),
        logicalIdOf('ApprovalsRequestRole', 'AWS::IAM::Role'),
      ].sort(),
    );
  });

  it('gates approve-mode containment behind a waitForTaskToken task timed by the policy, with escalation', () => {
    const { States } = definitionOf(synth.template, 'Playbookdisableaccesskey');
    const wait = States['Containment approval: wait for approval'] as AslState & {
      HeartbeatSecondsPath?: string;
      Parameters: { Payload: Record<string, unknown> };
    };

    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.HeartbeatSecondsPath).toBe('$.decision.approval.timeoutSeconds');
    expect(wait.Parameters.Payload['token.$']).toBe('$$.Task.Token');
    expect(wait.Catch?.map((c) => [c.ErrorEquals, c.Next])).toEqual([
      [['Remediation.ApprovalDenied'], 'Containment approval: check denial'],
      [['States.HeartbeatTimeout', 'States.Timeout'], 'Containment approval: audit timed out'],
      [['States.ALL'], 'Containment approval: wait for approval: stopped'],
    ]);
    // A failed wait names itself to the needs-human path (the notification links its runbook step).
    expect(States['Containment approval: wait for approval: stopped']?.Next).toBe('Audit needs human');
    // An answer goes on only once the approval request says the decision function recorded it.
    expect(wait.Next).toBe('Containment approval: check approval');
    expect(States['Containment approval: check approval']?.Next).toBe('Containment approval: passed');
    expect(States['Containment approval: check denial']?.Next).toBe('Containment approval: denied');
    expect(States['Containment approval: passed']?.Next).toBe('Read key state');
    // Before the gate, only the key's last use is read (for the approval page).
    expect(States['Mode?']?.Choices).toContainEqual(
      expect.objectContaining({ StringEquals: 'approve', Next: 'Risk: start' }),
    );
    expect(States['Risk: read key last use']?.Resource).toBe(
      'arn:aws:states:::aws-sdk:iam:getAccessKeyLastUsed',
    );
    expect(States['Risk: read key last use']?.Next).toBe('Risk: read');
    expect(States['Risk: read']?.Next).toBe('Containment approval: settings?');
  });
});
