import { describe, expect, it } from 'vitest';
import { handler } from '#functions/plan-flow-log-recreation/handler.ts';
import {
  DEFAULT_LOG_FORMAT,
  InvalidFlowLogPlanInputError,
  MAX_LOOKUP_PAGES,
  matchPage,
  planRecreation,
  verifyRecreation,
} from '#shared/flow-logs/recreate-plan.ts';

const ROLE = 'arn:aws:iam::111122223333:role/flow-logs-delivery';

/** A CreateFlowLogs record as EC2 writes it to CloudTrail (query request wrapped, response as its XML). */
function createRecord(
  ids: string[],
  request: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ops', accountId: '111122223333' },
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateFlowLogs',
    awsRegion: 'us-east-1',
    requestParameters: { CreateFlowLogsRequest: request },
    responseElements: {
      CreateFlowLogsResponse: {
        xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
        requestId: 'r-1',
        flowLogIdSet: { item: ids.length === 1 ? ids[0] : ids },
        unsuccessful: '',
      },
    },
    eventID: `event-${ids.join('-')}`,
    ...extra,
  });
}
const VPC_TO_LOGS = {
  ResourceId: { tag: 1, content: 'vpc-0123456789abcdef0' },
  ResourceType: 'VPC',
  TrafficType: 'REJECT',
  LogGroupName: 'vpc-flow-logs',
  DeliverLogsPermissionArn: ROLE,
  MaxAggregationInterval: '60',
};
const start = { found: {}, calls: {}, pages: 0 };
const lookupOf = (deletedIds: string[], ...records: string[]) =>
  matchPage(deletedIds, { Events: records.map((CloudTrailEvent) => ({ CloudTrailEvent })) }, start);

describe('recreate-flow-logs planning', () => {
  it('finds the call that created the deleted flow log and plans exactly its configuration', () => {
    const deleted = ['fl-0123456789abcdef0'];
    const lookup = lookupOf(
      deleted,
      createRecord(['fl-0fffffffffffffff0'], VPC_TO_LOGS),
      createRecord(deleted, VPC_TO_LOGS),
    );
    expect(lookup.missing).toEqual([]);
    expect(lookup.more).toBe(false);

    const plan = planRecreation('finding-1', deleted, lookup);

    expect(plan.reason).toBeUndefined();
    expect(plan.count).toBe(1);
    expect(plan.flowLogs[0]).toMatchObject({
      deletedIds: deleted,
      branch: 'cloud-watch-logs-group',
      request: {
        ResourceIds: ['vpc-0123456789abcdef0'],
        ResourceType: 'VPC',
        TrafficType: 'REJECT',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: 'vpc-flow-logs',
        DeliverLogsPermissionArn: ROLE,
        LogFormat: DEFAULT_LOG_FORMAT,
        MaxAggregationInterval: 60,
      },
    });
    expect(plan.description).toContain(`delivery role ${ROLE}`);
    // The same finding plans the same token: a retried create makes no second flow log.
    expect(planRecreation('finding-1', deleted, lookup).flowLogs[0]?.request['ClientToken']).toBe(
      plan.flowLogs[0]?.request['ClientToken'],
    );
  });

  it('reads on while a deleted id is missing and pages remain, and stops at the page limit', () => {
    const deleted = ['fl-0123456789abcdef0'];
    const first = matchPage(deleted, { Events: [], NextToken: 'next' }, start);
    expect(first).toMatchObject({ more: true, nextToken: 'next', pages: 1 });
    const last = matchPage(
      deleted,
      { Events: [], NextToken: 'next' },
      { ...start, pages: MAX_LOOKUP_PAGES - 1 },
    );
    expect(last.more).toBe(false);
  });

  it('names the reason, never a guess, when the creating call is not found or the record does not say which id is which resource', () => {
    const notFound = planRecreation('f', ['fl-0123456789abcdef0'], lookupOf(['fl-0123456789abcdef0']));
    expect(notFound.count).toBe(0);
    expect(notFound.reason).toContain(
      'no CreateFlowLogs call that created it is in the CloudTrail event history',
    );

    const twoVpcs = {
      ...VPC_TO_LOGS,
      ResourceId: [
        { tag: 1, content: 'vpc-0123456789abcdef0' },
        { tag: 2, content: 'vpc-0123456789abcdef1' },
      ],
    };
    const ids = ['fl-0000000000000000a', 'fl-0000000000000000b'];
    const partly = planRecreation(
      'f',
      [ids[0] as string],
      lookupOf([ids[0] as string], createRecord(ids, twoVpcs)),
    );
    expect(partly.count).toBe(0);
    expect(partly.reason).toContain('does not say which flow log is which resource');
    // Both deleted: the whole call is made again, for both resources.
    const both = planRecreation('f', ids, lookupOf(ids, createRecord(ids, twoVpcs)));
    expect(both.flowLogs[0]?.request['ResourceIds']).toEqual([
      'vpc-0123456789abcdef0',
      'vpc-0123456789abcdef1',
    ]);
  });

  it('ignores a failed CreateFlowLogs record and shows record text only display-safe', () => {
    const deleted = ['fl-0123456789abcdef0'];
    const failed = lookupOf(deleted, createRecord(deleted, VPC_TO_LOGS, { errorCode: 'AccessDenied' }));
    expect(failed.missing).toEqual(deleted);

    const hostile = { ...VPC_TO_LOGS, LogGroupName: 'logs\u001b[2J\nforged line' };
    const plan = planRecreation('f', deleted, lookupOf(deleted, createRecord(deleted, hostile)));
    expect(plan.description).not.toContain('\u001b');
    expect(plan.description).not.toContain('\n');
    expect(plan.flowLogs[0]?.request['LogGroupName']).toBe('logs\u001b[2J\nforged line');
  });

  it('verifies the flow logs read back against the requests', () => {
    const request = {
      ResourceIds: ['vpc-1'],
      TrafficType: 'ALL',
      LogGroupName: 'g',
      MaxAggregationInterval: 600,
    };
    const read = {
      FlowLogId: 'fl-1',
      ResourceId: 'vpc-1',
      TrafficType: 'ALL',
      LogGroupName: 'g',
      MaxAggregationInterval: 600,
    };
    expect(verifyRecreation([{ request }], [{ read: { FlowLogs: [read] } }]).count).toBe(0);
    expect(
      verifyRecreation([{ request }], [{ read: { FlowLogs: [{ ...read, TrafficType: 'REJECT' }] } }])
        .problems,
    ).toEqual(['fl-1: TrafficType reads back as REJECT']);
  });

  it('refuses input it cannot read with a typed error', async () => {
    await expect(handler({ step: 'plan' })).rejects.toBeInstanceOf(InvalidFlowLogPlanInputError);
  });
});
