import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { playbookNames } from '#statemachines/registry.ts';
import { liftedBlastRadius } from '../../bench/bench-stack.ts';
import { type MatrixRow, runFaultMatrix, unpreparedPlaybooks } from '../../bench/fault-matrix.ts';
import { PREPARE, UNPREPARED } from './fault-matrix.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The CI subset of the fault matrix (`npm run bench` runs every cell): all four faults on the
 * first mutating call of every playbook, and AccessDenied on every mutating call, since that
 * is the cell where a gap in the audit trail or a silent end would show.
 */
describe('fault matrix (CI subset)', () => {
  it('every registered playbook has a prepared target or a stated reason why not, and nothing else is left out', () => {
    const prepared = (name: string) => name.replaceAll('-', '') in PREPARE;
    expect(playbookNames.filter((name) => !prepared(name) && !UNPREPARED[name]?.trim())).toEqual([]);
    // A reason only for a registered playbook the matrix does leave out.
    expect(Object.keys(UNPREPARED).filter((name) => !playbookNames.includes(name) || prepared(name))).toEqual(
      [],
    );
    // The synthesized stack's playbooks without a prepared target are exactly those.
    expect(unpreparedPlaybooks(ROOT)).toEqual(
      Object.keys(UNPREPARED)
        .map((name) => name.replaceAll('-', ''))
        .sort(),
    );
  });

  it('every playbook succeeds after retry or ends needs-human with a notification and a gapless trail', async () => {
    const rows: MatrixRow[] = [];
    await runFaultMatrix(ROOT, {
      deploy: await liftedBlastRadius(),
      select: (_playbook, _call, fault, index) => index === 0 || fault === 'AccessDenied always',
      onRow: (row) => rows.push(row),
    });
    const playbooks = new Set(rows.map((r) => r.playbook));
    expect(playbooks.size).toBeGreaterThanOrEqual(6);
    // Every fault kind was exercised on a call the scenario actually reaches.
    const reached = rows.filter((r) => r.result.attempts > 0);
    expect(new Set(reached.map((r) => r.fault)).size).toBe(4);
    const wrong = rows
      .filter((r) => !r.verdict.ok)
      .map((r) => `${r.playbook} ${r.call.service}:${r.call.operation} × ${r.fault}: ${r.verdict.reason}`);
    expect(wrong).toEqual([]);
    // Retries really happened: a throttled-once call was received at least twice.
    for (const r of reached.filter((x) => x.fault === 'throttled once')) {
      expect(r.result.attempts, `${r.playbook} ${r.call.operation}`).toBeGreaterThanOrEqual(2);
    }
  }, 600_000);
});
