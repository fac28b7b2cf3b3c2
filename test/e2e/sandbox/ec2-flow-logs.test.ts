import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateFlowLogsCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { CloudTrailService } from '#sandbox/services/cloudtrail.ts';
import { CloudTrailHistory } from '#sandbox/services/cloudtrail-history.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';

const server = new SandboxServer();
const history = new CloudTrailHistory();
server.onCall((call, req, response) => history.record(call, req, response));
server.register(new Ec2Service());
server.register(new CloudTrailService(history));
let ec2: EC2Client;
let cloudtrail: CloudTrailClient;
let vpcId: string;

beforeAll(async () => {
  const endpoint = await server.listen({ port: 0 });
  const config = { endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  ec2 = new EC2Client(config);
  cloudtrail = new CloudTrailClient(config);
  vpcId = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId as string;
});
afterAll(async () => {
  ec2.destroy();
  cloudtrail.destroy();
  await server.close();
});

const ROLE = 'arn:aws:iam::111122223333:role/flow-logs-delivery';
const lookup = async (eventName: string) =>
  (
    await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
      }),
    )
  ).Events ?? [];

describe('EC2 flow logs and CloudTrail event history in the sandbox', () => {
  it('creates, describes and deletes a flow log, and the history holds both calls in their CloudTrail shape', async () => {
    const created = await ec2.send(
      new CreateFlowLogsCommand({
        ResourceIds: [vpcId],
        ResourceType: 'VPC',
        TrafficType: 'REJECT',
        LogGroupName: 'vpc-flow-logs',
        DeliverLogsPermissionArn: ROLE,
        MaxAggregationInterval: 60,
      }),
    );
    const flowLogId = created.FlowLogIds?.[0] as string;
    expect(flowLogId).toMatch(/^fl-[0-9a-f]{17}$/);
    const described = await ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: [flowLogId] }));
    expect(described.FlowLogs?.[0]).toMatchObject({
      ResourceId: vpcId,
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: 'vpc-flow-logs',
      DeliverLogsPermissionArn: ROLE,
      MaxAggregationInterval: 60,
      FlowLogStatus: 'ACTIVE',
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: flow log fields are written ${field}.
    expect(described.FlowLogs?.[0]?.LogFormat).toContain('${srcaddr}');

    // The same configuration again is refused for that resource, not created twice.
    const again = await ec2.send(
      new CreateFlowLogsCommand({
        ResourceIds: [vpcId],
        ResourceType: 'VPC',
        TrafficType: 'REJECT',
        LogGroupName: 'vpc-flow-logs',
        DeliverLogsPermissionArn: ROLE,
      }),
    );
    expect(again.FlowLogIds).toEqual([]);
    expect(again.Unsuccessful?.[0]?.Error?.Code).toBe('FlowLogAlreadyExists');

    await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [flowLogId] }));
    expect((await ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: [flowLogId] }))).FlowLogs).toEqual([]);
    const gone = await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [flowLogId] }));
    expect(gone.Unsuccessful?.[0]?.Error?.Code).toBe('InvalidFlowLogId.NotFound');

    const [createEvent] = await lookup('CreateFlowLogs');
    const createRecord = JSON.parse(createEvent?.CloudTrailEvent as string);
    expect(createRecord).toMatchObject({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateFlowLogs',
      awsRegion: 'us-east-1',
      recipientAccountId: '111122223333',
      requestParameters: {
        CreateFlowLogsRequest: {
          ResourceId: { tag: 1, content: vpcId },
          ResourceType: 'VPC',
          TrafficType: 'REJECT',
          LogGroupName: 'vpc-flow-logs',
          DeliverLogsPermissionArn: ROLE,
        },
      },
    });
    // The later create answered FlowLogAlreadyExists inside a successful response: newest first.
    expect(JSON.stringify(createRecord.responseElements)).toContain('FlowLogAlreadyExists');
    const firstCreate = JSON.parse((await lookup('CreateFlowLogs'))[1]?.CloudTrailEvent as string);
    expect(firstCreate.responseElements.CreateFlowLogsResponse.flowLogIdSet).toEqual({ item: flowLogId });

    const deletes = await lookup('DeleteFlowLogs');
    expect(deletes).toHaveLength(2);
    const deleted = JSON.parse(deletes[1]?.CloudTrailEvent as string);
    expect(deleted.requestParameters).toEqual({
      DeleteFlowLogsRequest: { FlowLogId: { tag: 1, content: flowLogId } },
    });
    expect(deleted.responseElements.DeleteFlowLogsResponse).toMatchObject({
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
    });
  });

  it('pages the history 1 event at a time with NextToken, and refuses two attributes', async () => {
    const first = await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteFlowLogs' }],
        MaxResults: 1,
      }),
    );
    expect(first.Events).toHaveLength(1);
    const second = await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteFlowLogs' }],
        MaxResults: 1,
        NextToken: first.NextToken,
      }),
    );
    expect(second.Events?.[0]?.EventId).not.toBe(first.Events?.[0]?.EventId);
    await expect(
      cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'DeleteFlowLogs' },
            { AttributeKey: 'ReadOnly', AttributeValue: 'false' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidLookupAttributesException' });
  });
});
