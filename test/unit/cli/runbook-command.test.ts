import { readFileSync } from 'node:fs';
import path from 'node:path';
import { aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { renderRunbooks } from '#cli/commands/runbook.ts';
import { RunbookError, runbookOf } from '#cli/runbook/model.ts';
import { facts } from '#shared/playbooks/block-bucket-public-access.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import type { PlaybookDefinition } from '#statemachines/playbook.ts';
import { playbooks } from '#statemachines/registry.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const POLICY = path.join(ROOT, 'policy/default.yaml');

/** A playbook of one SDK call, with the runbook words given. */
function oneCall(runbook: PlaybookDefinition['runbook']): PlaybookDefinition {
  return {
    ...facts,
    description: 'test',
    runbook,
    build: ({ scope }) =>
      new tasks.CallAwsService(scope, 'Block it', {
        service: 's3',
        action: 'putPublicAccessBlock',
        iamResources: ['*'],
      }).next(new sfn.Succeed(scope, 'Done')),
  };
}

describe('remediate runbook', () => {
  it('keeps docs/runbooks in step with the playbooks and the policy (npm run docs:runbooks)', () => {
    const pages = renderRunbooks([], { format: 'md', policy: POLICY });
    expect([...pages.keys()]).toEqual([...playbooks.map((p) => p.name), 'undo']);
    for (const [name, page] of pages) {
      const kept = readFileSync(path.join(ROOT, 'docs/runbooks', `${name}.md`), 'utf8');
      expect(kept, `docs/runbooks/${name}.md is stale: run npm run docs:runbooks`).toBe(page);
    }
  });

  it('says what starts a playbook, each step with what to do when it stops there, checks and undo', () => {
    const page = renderRunbooks(['disable-access-key'], { format: 'md', policy: POLICY }).get(
      'disable-access-key',
    );
    expect(page).toContain(
      "- Rule `guardduty-iam-user-anomalies`: GuardDuty saw unusual behaviour by an IAM user's access key. It waits for an on-call approval first.",
    );
    expect(page).toMatch(/### 2\. Disable the key\n\n<a id="stopped-at-deactivate-access-key"><\/a>/);
    expect(page).toContain('**If it stops here:** The key may still be active.');
    expect(page).toContain('## How to undo\n\nRun `remediate undo <execution id>`');
  });

  it('writes HTML with the same anchors, escaping what it quotes', () => {
    const page = renderRunbooks(['quarantine-instance'], { format: 'html', policy: POLICY }).get(
      'quarantine-instance',
    );
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<a id="stopped-at-detach-from-auto-scaling-group"></a>');
    expect(page).toContain('<code>remediate audit --finding &lt;finding id&gt;</code>');
  });

  it('refuses a playbook whose calls have no words, or whose words name no state', () => {
    const policy = loadPolicyFile(POLICY);
    const undo = 'nothing';
    expect(() => runbookOf(oneCall({ steps: [], checkAfterwards: [], undo }), policy)).toThrow(
      new RunbookError(
        'playbook block-bucket-public-access: no runbook step covers "Block it"; add it to a step of its runbook',
      ),
    );
    const renamed = { title: 'Block', does: 'x', states: ['Block public'], ifItStops: 'y' };
    expect(() => runbookOf(oneCall({ steps: [renamed], checkAfterwards: [], undo }), policy)).toThrow(
      /runbook step "Block" of block-bucket-public-access names no state of it \(Block public\)/,
    );
    expect(() => renderRunbooks(['no-such-playbook'], { format: 'md', policy: POLICY })).toThrow(
      /unknown playbook no-such-playbook/,
    );
  });

  it('writes the undo runbook, with a place for each reverse call inside its Map, where its needs-human notification links', () => {
    const page = renderRunbooks(['undo'], { format: 'md', policy: POLICY }).get('undo');

    expect(page).toContain('## What starts it\n\nA person, with `remediate undo <execution id>`');
    expect(page).toMatch(
      /### 3\. Put back each change\n\n<a id="stopped-at-undo-actions"><\/a>.*<a id="stopped-at-undo-updateaccesskey"><\/a>/,
    );
    expect(page).toContain('<a id="stopped-at-stop-follow-up"></a>');
  });
});
