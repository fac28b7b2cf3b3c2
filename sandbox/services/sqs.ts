import { createHash, randomUUID } from 'node:crypto';
import { AwsError, type SandboxRequest, type SandboxResponse, type SandboxService } from '../protocol.ts';

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

/**
 * SQS over its JSON protocol (`AmazonSQS.<Operation>`), for the dead-letter queues: enough to
 * create queues, send, receive, delete and count messages. Queue URLs point at the sandbox
 * endpoint because the SDK sends each request to the host of its QueueUrl.
 */
export class SqsService implements SandboxService {
  readonly signingNames = ['sqs'] as const;
  readonly protocol = 'json' as const;
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly endpoint: () => string) {}

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
      attributes,
      messages: [],
    };
    this.queues.set(url, queue);
    return queue;
  }

  /** The messages now in the queue with this name or URL (for tests and the demo). */
  messages(nameOrUrl: string): readonly QueuedMessage[] {
    return this.find(nameOrUrl)?.messages ?? [];
  }

  operation(req: SandboxRequest): string {
    return (req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '') || 'Unknown';
  }

  async handle(req: SandboxRequest, op: string): Promise<SandboxResponse> {
    const input = req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, any>) : {};
    const ok = (body: unknown): SandboxResponse => ({
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify(body),
    });
    switch (op) {
      case 'CreateQueue':
        return ok({
          QueueUrl: this.createQueue(req.accountId, req.region, input.QueueName, input.Attributes).url,
        });
      case 'GetQueueUrl':
        return ok({ QueueUrl: this.require(input.QueueName).url });
      case 'ListQueues':
        return ok({ QueueUrls: [...this.queues.keys()] });
      case 'SendMessage': {
        const queue = this.require(input.QueueUrl);
        const message: QueuedMessage = {
          messageId: randomUUID(),
          receiptHandle: randomUUID(),
          body: String(input.MessageBody ?? ''),
          sentAt: new Date(),
        };
        queue.messages.push(message);
        return ok({ MessageId: message.messageId, MD5OfMessageBody: md5(message.body) });
      }
      case 'ReceiveMessage': {
        const queue = this.require(input.QueueUrl);
        const max = Math.min(Number(input.MaxNumberOfMessages ?? 1), 10);
        return ok({
          Messages: queue.messages.slice(0, max).map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            Body: m.body,
            MD5OfBody: md5(m.body),
          })),
        });
      }
      case 'DeleteMessage': {
        const queue = this.require(input.QueueUrl);
        queue.messages = queue.messages.filter((m) => m.receiptHandle !== input.ReceiptHandle);
        return ok({});
      }
      case 'PurgeQueue':
        this.require(input.QueueUrl).messages = [];
        return ok({});
      case 'GetQueueAttributes': {
        const queue = this.require(input.QueueUrl);
        return ok({
          Attributes: {
            ...queue.attributes,
            QueueArn: queue.arn,
            ApproximateNumberOfMessages: String(queue.messages.length),
          },
        });
      }
      default:
        throw new AwsError('InvalidAction', `The sandbox SQS does not implement ${op}`, 400);
    }
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
