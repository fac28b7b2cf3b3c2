import { describe, expect, it } from 'vitest';
import { severityFromScore } from '#shared/findings/finding.ts';

describe('severityFromScore', () => {
  it.each([
    [0.5, 'Informational'],
    [1, 'Low'],
    [3.9, 'Low'],
    [4, 'Medium'],
    [6.9, 'Medium'],
    [7, 'High'],
    [8.9, 'High'],
    [9, 'Critical'],
    [10, 'Critical'],
  ])('maps %s to %s on GuardDuty bands', (score, label) => {
    expect(severityFromScore(score).label).toBe(label);
  });

  it('clamps scores outside 0-10', () => {
    expect(severityFromScore(12)).toEqual({ score: 10, label: 'Critical' });
    expect(severityFromScore(-1)).toEqual({ score: 0, label: 'Informational' });
  });
});
