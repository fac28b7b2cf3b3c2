import { describe, expect, it } from 'vitest';
import type { Finding } from '#shared/findings/finding.ts';
import type { ExecutionTrail } from '#shared/undo/reverse.ts';
import { reverseRecreateFlowLogs } from '#shared/undo/reverse-flow-logs.ts';

/** One run of recreate-flow-logs whose CreateFlowLogs record kept `after`. */
const trailOf = (after: unknown): ExecutionTrail => ({
  finding: { accountId: '111122223333', region: 'us-east-1' } as Finding,
  succeeded:
    after === undefined
      ? []
      : [
          {
            at: '2026-12-06T00:00:00Z',
            action: 'CreateFlowLogs',
            outcome: 'succeeded',
            after: JSON.stringify(after),
          },
        ],
});

describe('undo of recreate-flow-logs', () => {
  it('deletes exactly the flow logs the run created', () => {
    const after = [
      { FlowLogIds: ['fl-0000000000000000a'], read: { FlowLogs: [] } },
      { FlowLogIds: ['fl-0000000000000000b', 'fl-0000000000000000c'], read: { FlowLogs: [] } },
    ];
    expect(reverseRecreateFlowLogs(trailOf(after)).actions).toEqual([
      expect.objectContaining({
        type: 'DeleteFlowLogs',
        request: { FlowLogIds: ['fl-0000000000000000a', 'fl-0000000000000000b', 'fl-0000000000000000c'] },
      }),
    ]);
  });

  it('does nothing when the run created nothing, or its record is unreadable', () => {
    expect(reverseRecreateFlowLogs(trailOf(undefined))).toEqual({ actions: [], notes: [] });
    expect(reverseRecreateFlowLogs(trailOf({ unexpected: true })).notes).toEqual([
      'The flow logs the run created were not recorded.',
    ]);
  });
});
