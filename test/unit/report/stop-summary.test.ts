import { describe, expect, it } from 'vitest';
import { findingHistories } from '#shared/report/finding-history.ts';
import { stoppedStep, stopSummary } from '#shared/report/stop-summary.ts';

/** What a playbook's needs-human record keeps in `details` (statemachines/fragments/needs-human.ts). */
const caught = (error: string, cause: string, stoppedAt?: Record<string, string>) =>
  JSON.stringify({ Error: error, Cause: cause, ...(stoppedAt && { stoppedAt }) });

describe('a needs-human record’s step and error, as the report names them', () => {
  it('names the state and "AccessDenied on <call>" from the catch and IAM’s refusal', () => {
    const details = caught(
      'Iam.IamException',
      'User: arn:aws:sts::111122223333:assumed-role/r/s is not authorized to perform: iam:TagUser on resource: user bob because no identity-based policy allows the iam:TagUser action (Service: Iam, Status Code: 403, Request ID: 1)',
      { step: 'Tag the user', call: 'iam:TagUser', runbook: 'docs/runbooks/x.md#stopped-at-tag-the-user' },
    );

    expect(stoppedStep(details)).toBe('Tag the user');
    expect(stopSummary(details)).toBe('AccessDenied on iam:TagUser');
  });

  it('reads the refused action from the cause when no catch recorded the call', () => {
    const details = caught(
      'Iam.IamException',
      'User: x is not authorized to perform: iam:PutUserPolicy on resource: y',
    );

    expect(stoppedStep(details)).toBeUndefined();
    expect(stopSummary(details)).toBe('AccessDenied on iam:PutUserPolicy');
  });

  it('keeps a specific error name, and the start of the cause when the name says nothing', () => {
    expect(
      stopSummary(
        caught('Iam.NoSuchEntityException', 'The user x cannot be found.', {
          step: 's',
          call: 'iam:TagUser',
        }),
      ),
    ).toBe('NoSuchEntity on iam:TagUser');
    expect(stopSummary(caught('Ec2.Ec2Exception', 'The instance ID i-1 does not exist (Service: Ec2)'))).toBe(
      'Ec2.Ec2Exception: The instance ID i-1 does not exist (Service: Ec2)',
    );
  });

  it('shows a hostile cause without control characters, capped', () => {
    const summary = stopSummary(caught('States.TaskFailed', `\u001b[2J${'x'.repeat(5000)}`)) ?? '';

    expect(summary.includes('\u001b')).toBe(false);
    expect(summary).toMatch(/^States\.TaskFailed: \[2Jxxx/);
    expect(summary.length).toBeLessThan(200);
    expect(summary).toMatch(/…\(\d+ chars\)$/);
  });

  it('the report names the recorded state, not the step after the last action', () => {
    const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
    const base = { pk: 'FINDING#f', resourceKey: 'RESOURCE#111122223333#access-key#AKIA', findingId: 'f' };
    const [history] = findingHistories([
      {
        ...base,
        sk: `${at(0)}#classify`,
        at: at(0),
        actor: 'classify',
        action: 'classify',
        outcome: 'routed',
        playbook: 'disable-access-key',
        reason: 'rule leaks: x',
      },
      {
        ...base,
        sk: `${at(1)}#u`,
        at: at(1),
        actor: 'playbook/disable-access-key',
        action: 'UpdateAccessKey',
        outcome: 'succeeded',
      },
      {
        ...base,
        sk: `${at(2)}#n`,
        at: at(2),
        actor: 'playbook/disable-access-key',
        action: 'NeedsHuman',
        outcome: 'needs-human',
        details: caught('Iam.IamException', 'Injected', {
          step: 'Attach deny-all policy',
          call: 'iam:PutUserPolicy',
        }),
      },
    ]);

    expect(history?.needsHuman).toEqual({
      step: 'Attach deny-all policy',
      error: 'Iam.IamException on iam:PutUserPolicy: Injected',
    });
  });
});
