import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateFlowLogsCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  type FlowLog,
} from '@aws-sdk/client-ec2';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalNotice, executionEnded, waitFor } from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { playbookExecution, type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
let vpcId: string;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-flow-logs');
  vpcId = (await ec2().send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId as string;
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const ec2 = () => h.sandbox.clients.ec2;
const ROLE = 'arn:aws:iam::111122223333:role/flow-logs-delivery';
// biome-ignore lint/suspicious/noTemplateCurlyInString: flow log fields are written ${field}.
const FORMAT = '${srcaddr} ${dstaddr} ${dstport} ${action}';
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);
/** Every flow log of the account, without what EC2 sets itself (id, creation time, status). */
const flowLogs = async () =>
  ((await ec2().send(new DescribeFlowLogsCommand({}))).FlowLogs ?? []).map(
    ({ FlowLogId: _, CreationTime: __, ...configuration }: FlowLog) => configuration,
  );

/**
 * The attacker's DeleteFlowLogs, made in the sandbox, and the CloudTrail event EventBridge delivers
 * for it: the record the sandbox's CloudTrail event history holds for that call.
 */
async function deleteFlowLog(flowLogId: string) {
  await ec2().send(new DeleteFlowLogsCommand({ FlowLogIds: [flowLogId] }));
  const events = await h.sandbox.clients.cloudtrail.send(
    new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteFlowLogs' }],
    }),
  );
  const detail = JSON.parse(events.Events?.[0]?.CloudTrailEvent as string);
  expect(detail.requestParameters.DeleteFlowLogsRequest.FlowLogId.content).toBe(flowLogId);
  return { source: 'aws.ec2', 'detail-type': 'AWS API Call via CloudTrail', detail };
}

describe('recreate-flow-logs, end to end through the sandbox', () => {
  it('a deleted flow log waits for approval showing its configuration, comes back exactly so, and undo deletes it again', async () => {
    const created = await ec2().send(
      new CreateFlowLogsCommand({
        ResourceIds: [vpcId],
        ResourceType: 'VPC',
        TrafficType: 'REJECT',
        LogGroupName: 'vpc-flow-logs',
        DeliverLogsPermissionArn: ROLE,
        LogFormat: FORMAT,
        MaxAggregationInterval: 60,
      }),
    );
    const flowLogId = created.FlowLogIds?.[0] as string;
    const before = await flowLogs();
    expect(before).toHaveLength(1);

    const event = await deleteFlowLog(flowLogId);
    await h.put(event);

    expect(await flowLogs()).toEqual([]);
    const notice = await waitFor('the approval request', () => approvalNotice(h, event.detail.eventID));
    for (const shown of [flowLogId, vpcId, 'REJECT', 'log group vpc-flow-logs', ROLE, FORMAT, 'every 60 s'])
      expect(notice.message.message).toContain(shown);
    await desk.oncall.decide(notice.approvalId, 'approve', 'nobody retired this VPC');
    await executionEnded(h, await playbookExecution(h, event.detail.eventID));

    // The same configuration again, under a new id, and nothing else.
    expect(await flowLogs()).toEqual(before);
    const [recreated] = (await ec2().send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
    expect(recreated?.FlowLogId).not.toBe(flowLogId);
    expect((await steps(event.detail.eventID)).slice(-3)).toEqual([
      ['CreateFlowLogs', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    const record = (await h.history(event.detail.eventID)).find((r) => r.action === 'CreateFlowLogs');
    expect(JSON.parse(record?.before as string)[0]).toMatchObject({
      deletedIds: [flowLogId],
      request: { ResourceIds: [vpcId], LogGroupName: 'vpc-flow-logs', DeliverLogsPermissionArn: ROLE },
    });
    expect(JSON.parse(record?.after as string)).toEqual([
      expect.objectContaining({ FlowLogIds: [recreated?.FlowLogId] }),
    ]);

    const { ended } = await desk.approved(event.detail.eventID, { reason: 'the deletion was planned' });
    expect(ended.status).toBe('SUCCEEDED');
    expect(await flowLogs()).toEqual([]);
  });

  it('a flow log whose CreateFlowLogs call is not in the history ends with a person and the reason, nothing created', async () => {
    const event = fixtureEvent('cloudtrail-ec2-delete-flow-logs.json');
    event.detail.eventID = 'e0000018-0000-4000-8000-000000000001';
    event.detail.requestParameters = {
      DeleteFlowLogsRequest: { FlowLogId: { tag: 1, content: 'fl-0aaaabbbbccccdddd' } },
    };
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    const ended = await executionEnded(h, await playbookExecution(h, event.detail.eventID));
    expect(ended.status).toBe('FAILED');
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['NeedsHuman', 'needs-human'],
    ]);
    const paged = h.sandbox.services.sns.published.find(
      (m) => m.message.includes(event.detail.eventID) && (m.subject ?? '').includes('needs a human'),
    );
    expect(paged?.message).toContain(
      'fl-0aaaabbbbccccdddd: no CreateFlowLogs call that created it is in the CloudTrail event history',
    );
    expect(h.sandbox.server.calls.slice(callsBefore).filter((c) => c.operation === 'CreateFlowLogs')).toEqual(
      [],
    );
    expect(await flowLogs()).toEqual([]);
  });

  it('a refused DeleteFlowLogs (errorCode) is recorded as skipped and nothing is looked up or created', async () => {
    const event = fixtureEvent('cloudtrail-ec2-delete-flow-logs.json');
    event.detail.eventID = 'e0000018-0000-4000-8000-000000000002';
    event.detail.errorCode = 'Client.UnauthorizedOperation';
    event.detail.errorMessage = 'You are not authorized to perform this operation.';
    event.detail.responseElements = null;
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    const skipped = (
      await h.sandbox.clients.dynamodb.send(new ScanCommand({ TableName: h.auditTable }))
    ).Items?.map((item) => unmarshall(item)).filter(
      (r) => r['action'] === 'classify' && String(r['reason']).includes('Client.UnauthorizedOperation'),
    );
    expect(skipped).toEqual([
      expect.objectContaining({
        outcome: 'skipped',
        reason: expect.stringContaining('DeleteFlowLogs failed (Client.UnauthorizedOperation'),
      }),
    ]);
    expect(
      h.sandbox.server.calls
        .slice(callsBefore)
        .filter((c) => c.operation === 'LookupEvents' || c.operation === 'CreateFlowLogs'),
    ).toEqual([]);
  });
});
