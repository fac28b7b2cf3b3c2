import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyDiff } from '#cli/commands/policy.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'policy-diff-'));
const before = path.join(dir, 'old.yaml');
const after = path.join(dir, 'new.yaml');
const text = readFileSync('policy/default.yaml', 'utf8');
writeFileSync(before, text);
writeFileSync(after, text.replace(/(- id: guardduty-iam-user-anomalies[\s\S]*?mode: )approve/, '$1auto'));
// One finding the anomalies rule decides, among every fixture and public example.
const anomaly = JSON.parse(
  readFileSync('test/fixtures/events/guardduty-iam-credential-exfiltration.json', 'utf8'),
);
anomaly.detail.type = 'Persistence:IAMUser/AnomalousBehavior';
writeFileSync(path.join(dir, 'anomaly.json'), JSON.stringify(anomaly));
const run = (allow?: string) => {
  const lines: string[] = [];
  const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
  const code = policyDiff(
    before,
    after,
    { events: ['test/fixtures/events', 'examples/events', path.join(dir, 'anomaly.json')], allow },
    out,
  );
  return { code, lines };
};

describe('remediate policy diff', () => {
  it('lists exactly the findings the anomalies rule decides, now auto, and fails', () => {
    const { code, lines } = run();
    const changed = lines.slice(0, -1);
    expect(changed).toHaveLength(1);
    for (const line of changed) {
      expect(line).toContain(`${path.join(dir, 'anomaly.json')} finding ${anomaly.detail.id}: `);
      expect(line).toMatch(
        /routed disable-access-key \(approve\) by rule guardduty-iam-user-anomalies → routed disable-access-key \(auto\) by rule guardduty-iam-user-anomalies {2}\[gains-auto\]$/,
      );
    }
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^\\d+ event\\(s\\), ${changed.length} decision\\(s\\) changed, ${changed.length} not allowed$`,
      ),
    );
    expect(code).toBe(1);
  });

  it('passes when --allow names the change', () => {
    expect(run('gains-auto').code).toBe(0);
  });
});
