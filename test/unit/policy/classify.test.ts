import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '#shared/classify.ts';
import { parsePolicy } from '#shared/policy/load.ts';

const policy = parsePolicy(`version: 1
rules:
  - id: keys
    match: { resource: AccessKey, minSeverity: Medium }
    playbook: disable-access-key
    mode: auto
`);
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));

describe('classifyEvent', () => {
  it('normalizes the event and carries the finding with the decision', () => {
    const [result] = classifyEvent(fixture('guardduty-iam-credential-exfiltration.json'), policy, ctx);
    expect(result).toMatchObject({
      outcome: 'routed',
      playbook: 'disable-access-key',
      mode: 'auto',
      ruleId: 'keys',
    });
    expect(result?.finding).toMatchObject({
      source: 'guardduty',
      resource: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
    });
  });

  it('decides each finding of a multi-finding event on its own', () => {
    const results = classifyEvent(fixture('securityhub-two-findings.json'), policy, ctx);
    expect(results.map((result) => result.outcome)).toEqual(['routed', 'skipped']);
  });

  it('notifies, never contains, a key finding a custom Security Hub product imported', () => {
    const event = fixture('securityhub-iam-access-key.json') as {
      detail: { findings: { ProductArn: string }[] };
    };
    for (const finding of event.detail.findings)
      finding.ProductArn = 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default';

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: 'keys' });
    expect(result?.outcome === 'routed' && result.playbook).toBeFalsy();
    expect(result?.reason).toMatch(/custom or partner product.*: notify instead of auto disable-access-key/);
  });

  it('turns an event no schema accepts into one rejection with its issues', () => {
    const results = classifyEvent({ source: 'aws.guardduty' }, policy, ctx);
    expect(results).toEqual([
      {
        outcome: 'rejected',
        reason: expect.stringContaining('not an EventBridge event'),
        issues: ['detail-type: missing'],
        severity: { score: 0, label: 'Informational' },
      },
    ]);
  });
});
