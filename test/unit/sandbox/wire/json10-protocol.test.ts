import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { DynamoDbService } from '#sandbox/services/dynamodb.ts';
import { SqsService } from '#sandbox/services/sqs.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';
import { signedPost } from './signed-request.ts';

const server = new SandboxServer();
let endpoint: string;
const states = new StepFunctionsService({ endpoint: () => endpoint, timeScale: 0.001 });
server.register(new SqsService(() => endpoint));
server.register(states);
const dynamodb = new DynamoDbService();
server.register(dynamodb);
const config = () => ({ endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
const ROLE = 'arn:aws:iam::111122223333:role/machine';

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  await dynamodb.start();
});
afterAll(async () => {
  await dynamodb.stop();
  await states.close();
  await server.close();
});

/** A JSON 1.0 call, as the SQS and Step Functions clients send it. */
const json10 = (service: string, target: string, payload: unknown) =>
  signedPost(endpoint, {
    service,
    body: JSON.stringify(payload),
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
  });

describe('JSON 1.0 (SQS, Step Functions), read and written from the SDK model', () => {
  it('round-trips queues, messages and attribute maps through a real SQS client', async () => {
    const sqs = new SQSClient(config());
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'lost event' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 5 }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Messages?.map((m) => m.Body)).toEqual(['lost event']);
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
  });

  it('round-trips executions with timestamps through a real Step Functions client', async () => {
    const sfn = new SFNClient(config());
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    const { stateMachineArn, creationDate } = await sfn.send(
      new CreateStateMachineCommand({ name: 'wire', definition, roleArn: ROLE }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"a":1}' }));
    await states.whenIdle();
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const { executions } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED' }),
    );
    expect(creationDate).toBeInstanceOf(Date);
    expect([described.status, described.output]).toEqual(['SUCCEEDED', '{"a":1}']);
    expect(described.startDate).toBeInstanceOf(Date);
    expect(executions?.map((e) => e.executionArn)).toEqual([executionArn]);
  });

  it('refuses an unknown member (Step Functions: SerializationException; SQS: UnknownParameter)', async () => {
    const sfn = await json10('states', 'AWSStepFunctions.StartExecution', {
      stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:wire',
      Input: '{}',
    });
    const sqs = await json10('sqs', 'AmazonSQS.SendMessage', {
      QueueUrl: `${endpoint}/111122223333/dlq`,
      MessageBody: 'x',
      DelaySecond: 1,
    });
    expect([sfn.status, sfn.code, sfn.message]).toEqual([
      400,
      'SerializationException',
      expect.stringContaining('Input'),
    ]);
    expect([sqs.status, sqs.code]).toEqual([400, 'UnknownParameter']);
  });

  it('refuses a missing required member (ValidationException; SQS: MissingParameter)', async () => {
    const sfn = await json10('states', 'AWSStepFunctions.DescribeExecution', {});
    const sqs = await json10('sqs', 'AmazonSQS.SendMessage', { QueueUrl: `${endpoint}/111122223333/dlq` });
    expect([sfn.status, sfn.code]).toEqual([400, 'ValidationException']);
    expect(sfn.message).toContain("Value null at 'executionArn'");
    expect([sqs.status, sqs.code, sqs.message]).toEqual([
      400,
      'MissingParameter',
      expect.stringContaining('MessageBody'),
    ]);
  });

  it('refuses a value of the wrong type (SerializationException; SQS: InvalidParameterValue)', async () => {
    const sfn = await json10('states', 'AWSStepFunctions.ListStateMachines', { maxResults: '10' });
    const sqs = await json10('sqs', 'AmazonSQS.ReceiveMessage', {
      QueueUrl: `${endpoint}/111122223333/dlq`,
      MaxNumberOfMessages: 'all',
    });
    expect([sfn.status, sfn.code]).toEqual([400, 'SerializationException']);
    expect([sqs.status, sqs.code]).toEqual([400, 'InvalidParameterValue']);
  });

  it('refuses a value outside the enum (ValidationException listing the values; SQS: InvalidParameterValue)', async () => {
    const sfn = await json10('states', 'AWSStepFunctions.ListExecutions', {
      stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:wire',
      statusFilter: 'DONE',
    });
    expect([sfn.status, sfn.code]).toEqual([400, 'ValidationException']);
    expect(sfn.message).toContain("Value 'DONE' at 'statusFilter'");
    expect(sfn.message).toContain('SUCCEEDED');
    const sqs = await json10('sqs', 'AmazonSQS.GetQueueAttributes', {
      QueueUrl: `${endpoint}/111122223333/dlq`,
      AttributeNames: ['MessageCount'],
    });
    expect([sqs.status, sqs.code, sqs.message]).toEqual([
      400,
      'InvalidParameterValue',
      expect.stringContaining('MessageCount'),
    ]);
  });
});

describe('DynamoDB requests checked against the SDK model before dynalite serves them', () => {
  it('round-trips items through a real client', async () => {
    const ddb = new DynamoDBClient(config());
    await ddb.send(
      new CreateTableCommand({
        TableName: 'wire',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await ddb.send(new PutItemCommand({ TableName: 'wire', Item: { id: { S: 'a' }, n: { N: '7' } } }));
    const { Item } = await ddb.send(new GetItemCommand({ TableName: 'wire', Key: { id: { S: 'a' } } }));
    expect(Item).toEqual({ id: { S: 'a' }, n: { N: '7' } });
  });

  it('refuses unknown members, missing members, wrong types and values outside an enum', async () => {
    const call = (target: string, payload: unknown) =>
      json10('dynamodb', `DynamoDB_20120810.${target}`, payload);
    const unknown = await call('GetItem', { TableName: 'wire', Key: { id: { S: 'a' } }, Consistent: true });
    const missing = await call('GetItem', { TableName: 'wire' });
    const wrongType = await call('GetItem', {
      TableName: 'wire',
      Key: { id: { S: 'a' } },
      ConsistentRead: 'yes',
    });
    const outside = await call('PutItem', {
      TableName: 'wire',
      Item: { id: { S: 'b' } },
      ReturnValues: 'EVERYTHING',
    });
    expect([unknown.status, unknown.code]).toEqual([400, 'SerializationException']);
    expect([missing.status, missing.code, missing.message]).toEqual([
      400,
      'ValidationException',
      expect.stringContaining("Value null at 'key'"),
    ]);
    expect([wrongType.status, wrongType.code]).toEqual([400, 'SerializationException']);
    expect([outside.status, outside.code]).toEqual([400, 'ValidationException']);
  });
});
