import { describe, expect, it } from 'vitest';
import type { Finding } from '#shared/findings/finding.ts';
import type { ExecutionTrail } from '#shared/undo/reverse.ts';
import { reverseDeactivateTrustedIpList } from '#shared/undo/reverse-trusted-ip-list.ts';

const DETECTOR = '6ec5a6f0b5e8a7c1d2e3f4a5b6c7d8e9';
const IP_SET = '0cb0141ab9fbde177613ab9436212e90';

/** One run of deactivate-trusted-ip-list whose UpdateIPSet record saw the list in `status`. */
const trailOf = (status: string | undefined): ExecutionTrail => ({
  finding: { accountId: '111122223333', region: 'us-east-1' } as Finding,
  succeeded:
    status === undefined
      ? []
      : [
          {
            at: '2026-12-06T00:00:00Z',
            action: 'UpdateIPSet',
            outcome: 'succeeded',
            before: JSON.stringify({
              DetectorId: DETECTOR,
              IpSetId: IP_SET,
              list: { Name: 'ops', Status: status },
            }),
          },
        ],
});

describe('undo of deactivate-trusted-ip-list', () => {
  it('activates the list again when the run found it active', () => {
    expect(reverseDeactivateTrustedIpList(trailOf('ACTIVE')).actions).toEqual([
      expect.objectContaining({
        type: 'UpdateIPSet',
        request: { DetectorId: DETECTOR, IpSetId: IP_SET, Activate: true },
      }),
    ]);
  });

  it('does nothing when the run found it inactive, or made no change', () => {
    expect(reverseDeactivateTrustedIpList(trailOf('INACTIVE'))).toEqual({
      actions: [],
      notes: ['The list was not active: nothing to reverse.'],
    });
    expect(reverseDeactivateTrustedIpList(trailOf(undefined)).actions).toEqual([]);
  });
});
