import { createHash, randomUUID } from 'node:crypto';
import type {
  CreateQueueRequest,
  DeleteMessageRequest,
  GetQueueAttributesRequest,
  GetQueueUrlRequest,
  PurgeQueueRequest,
  ReceiveMessageRequest,
  SendMessageRequest,
  SetQueueAttributesRequest,
} from '@aws-sdk/client-sqs';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { type InputShapeError, inputErrorFor } from '../wire/input-problems.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { checkSettable, selectAttributes, withEncryptionDefault } from './sqs-attributes.ts';

/** One message held by a sandbox queue. */
export interface QueuedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  sentAt: Date;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
  messages: QueuedMessage[];
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

type ForQueue<T extends { QueueUrl?: string }> = WithRequired<T, 'QueueUrl'>;

/**
 * SQS over its JSON 1.0 protocol (`AmazonSQS.<Operation>`), for the dead-letter queues: enough to
 * create queues, send, receive, delete and count messages, read and written from the SDK's model
 * of SQS. Queue URLs point at the sandbox endpoint because the SDK sends each request to the host
 * of its QueueUrl.
 */
export class SqsService extends ModelService {
  readonly signingNames = ['sqs'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-sqs', 'SQSClient');
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly endpoint: () => string) {
    super();
  }

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    CreateQueue: (req: SandboxRequest, input: WithRequired<CreateQueueRequest, 'QueueName'>) => {
      checkSettable(input.Attributes ?? {});
      return { QueueUrl: this.createQueue(req.accountId, req.region, input.QueueName, input.Attributes).url };
    },
    SetQueueAttributes: (_req, input: WithRequired<SetQueueAttributesRequest, 'QueueUrl' | 'Attributes'>) => {
      const queue = this.require(input.QueueUrl);
      checkSettable(input.Attributes);
      queue.attributes = { ...queue.attributes, ...input.Attributes };
      return {};
    },
    GetQueueUrl: (_req, input: WithRequired<GetQueueUrlRequest, 'QueueName'>) => ({
      QueueUrl: this.require(input.QueueName).url,
    }),
    ListQueues: () => ({ QueueUrls: [...this.queues.keys()] }),
    SendMessage: (_req, input: WithRequired<SendMessageRequest, 'QueueUrl' | 'MessageBody'>) => {
      const queue = this.require(input.QueueUrl);
      const message: QueuedMessage = {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body: input.MessageBody,
        sentAt: new Date(),
      };
      queue.messages.push(message);
      return { MessageId: message.messageId, MD5OfMessageBody: md5(message.body) };
    },
    ReceiveMessage: (_req, input: ForQueue<ReceiveMessageRequest>) => {
      const queue = this.require(input.QueueUrl);
      const max = Math.min(input.MaxNumberOfMessages ?? 1, 10);
      return {
        Messages: queue.messages.slice(0, max).map((m) => ({
          MessageId: m.messageId,
          ReceiptHandle: m.receiptHandle,
          Body: m.body,
          MD5OfBody: md5(m.body),
        })),
      };
    },
    DeleteMessage: (_req, input: WithRequired<DeleteMessageRequest, 'QueueUrl' | 'ReceiptHandle'>) => {
      const queue = this.require(input.QueueUrl);
      queue.messages = queue.messages.filter((m) => m.receiptHandle !== input.ReceiptHandle);
      return {};
    },
    PurgeQueue: (_req, input: ForQueue<PurgeQueueRequest>) => {
      this.require(input.QueueUrl).messages = [];
      return {};
    },
    GetQueueAttributes: (_req, input: ForQueue<GetQueueAttributesRequest>) => {
      const queue = this.require(input.QueueUrl);
      const all = {
        ...queue.attributes,
        QueueArn: queue.arn,
        ApproximateNumberOfMessages: String(queue.messages.length),
      };
      return { Attributes: selectAttributes(all, input.AttributeNames) };
    },
  };

  /**
   * SQS answers a malformed request with the query protocol's codes it kept on JSON:
   * `MissingParameter` for a required parameter left out, `InvalidParameterValue` for an invalid
   * or out-of-range value (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html).
   */
  protected override inputError(error: InputShapeError): AwsError {
    return inputErrorFor('ec2', error);
  }

  /** Create (or return) a queue programmatically, as the deployer does. */
  createQueue(
    accountId: string,
    region: string,
    name: string,
    attributes: Record<string, string> = {},
  ): Queue {
    const url = `${this.endpoint()}/${accountId}/${name}`;
    const existing = this.queues.get(url);
    if (existing) return existing;
    const queue: Queue = {
      name,
      url,
      arn: `arn:aws:sqs:${region}:${accountId}:${name}`,
      attributes: withEncryptionDefault(attributes),
      messages: [],
    };
    this.queues.set(url, queue);
    return queue;
  }

  /** The messages now in the queue with this name or URL (for tests and the demo). */
  messages(nameOrUrl: string): readonly QueuedMessage[] {
    return this.find(nameOrUrl)?.messages ?? [];
  }

  private find(nameOrUrl: string): Queue | undefined {
    return (
      this.queues.get(nameOrUrl) ??
      [...this.queues.values()].find((q) => q.name === nameOrUrl || q.url.endsWith(`/${nameOrUrl}`))
    );
  }

  private require(nameOrUrl: string): Queue {
    const queue = this.find(String(nameOrUrl));
    if (!queue)
      throw new AwsError(
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue does not exist.',
        400,
      );
    return queue;
  }
}
