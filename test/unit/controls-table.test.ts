import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asrControls, controlRows, controlsMarkdown, isRemediated } from '#cli/controls/table.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { playbooks } from '#statemachines/registry.ts';

const root = new URL('../../', import.meta.url);
const policy = loadPolicyFile(fileURLToPath(new URL('policy/default.yaml', root)));

describe('docs/controls.md', () => {
  it("is what `npm run docs:controls` generates from the playbooks' facts and policy/default.yaml", () => {
    const onDisk = readFileSync(fileURLToPath(new URL('docs/controls.md', root)), 'utf8');

    expect(onDisk, 'docs/controls.md is stale: run `npm run docs:controls`').toBe(
      controlsMarkdown(policy, playbooks),
    );
  });

  it('routes every control a playbook names to that playbook under the default policy', () => {
    const rows = controlRows(policy, playbooks);

    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((row) => !isRemediated(row))).toEqual([]);
  });

  it('counts a control only when its finding starts the playbook', () => {
    const withoutControlRules = {
      ...policy,
      rules: policy.rules.filter((rule) => rule.match.controls === undefined),
    };

    const rows = controlRows(withoutControlRules, playbooks);

    expect(rows.filter(isRemediated)).toEqual([]);
  });

  it("lists the 106 controls of AWS's Automated Security Response", () => {
    expect(asrControls().controls).toHaveLength(106);
  });
});
