import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybookCatalog } from '#shared/playbooks/catalog.ts';
import { planUndo } from '#shared/undo/plan.ts';
import { playbookCatalog, playbooks } from '#statemachines/registry.ts';

describe('the playbook catalog the undo planner loads by name', () => {
  it('holds exactly the facts of every registered playbook', async () => {
    const loaded = await loadPlaybookCatalog(playbooks.map((p) => p.name));
    expect([...loaded.keys()]).toEqual(playbooks.map((p) => p.name));
    for (const playbook of playbooks) {
      const facts = loaded.get(playbook.name);
      expect(facts, playbook.name).toBeDefined();
      for (const [key, value] of Object.entries(facts ?? {}))
        expect(playbook[key as keyof typeof playbook]).toBe(value);
    }
  });

  it('knows no playbook that has no facts file, and reads nothing for a name that is not one', async () => {
    const loaded = await loadPlaybookCatalog(['format-hard-drive', '../errors', 'definition', 'catalog']);
    expect([...loaded.keys()]).toEqual([]);
  });
});

describe('revoke-role-sessions undo', () => {
  const executionArn = 'arn:aws:states:us-east-1:111122223333:execution:revoke-role-sessions:x';
  // A finding as a real run recorded it (the undo fixtures), pointed at a role's session.
  const recorded = JSON.parse(
    readFileSync(join(import.meta.dirname, '../undo/fixtures/disable-access-key.json'), 'utf8'),
  ) as { input: { finding: Record<string, unknown> } };
  const finding = {
    ...recorded.input.finding,
    resource: {
      kind: 'AccessKey',
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      userName: 'web-server-role',
      userType: 'AssumedRole',
    },
  };
  const target = {
    executionArn,
    status: 'SUCCEEDED',
    input: {
      finding,
      decision: { playbook: 'revoke-role-sessions', mode: 'auto' },
      audit: { pk: 'p', resourceKey: 'r' },
    },
  };
  const record = (action: string, outcome: string, extra: Record<string, string> = {}) => ({
    at: `2026-01-01T00:00:0${action === 'PutRolePolicy' ? 1 : 2}Z`,
    action,
    outcome,
    playbook: 'revoke-role-sessions',
    executionArn,
    ...extra,
  });

  it('deletes the session-deny inline policy the playbook put, and only that', () => {
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
    const plan = planUndo(playbookCatalog, target, [
      record('PutRolePolicy', 'succeeded', {
        before: JSON.stringify({ roleName: 'web-server-role', path: '/' }),
        after: JSON.stringify(deny),
      }),
      record('Complete', 'contained'),
    ]);
    expect(plan).toMatchObject({
      outcome: 'planned',
      actions: [
        {
          type: 'DeleteRolePolicy',
          request: { RoleName: 'web-server-role', PolicyName: 'remediation-revoke-older-sessions' },
        },
      ],
    });
  });
});
