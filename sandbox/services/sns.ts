import { randomUUID } from 'node:crypto';
import type {
  CreateTopicInput,
  GetTopicAttributesInput,
  ListTopicsInput,
  MessageAttributeValue,
  PublishInput,
  SetTopicAttributesInput,
  SubscribeInput,
} from '@aws-sdk/client-sns';
import { AwsError } from '../protocol.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { pageOf } from '../wire/pagination.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { checkTopicAttributes, setTopicAttribute } from './sns-topic-attributes.ts';

/** The XML namespace of SNS responses (API version 2010-03-31). */
export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** A message attribute as Publish carries it. */
export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as the query protocol carries blobs. */
  BinaryValue?: string;
}

/** One message published to a topic, kept for tests and shown live by the demo. */
export interface PublishedMessage {
  messageId: string;
  accountId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageAttributes: Record<string, SnsMessageAttribute>;
  at: Date;
}

/** A subscription; email endpoints stay pending until confirmed, as in AWS. */
export interface SnsSubscription {
  subscriptionArn: string;
  protocol: string;
  endpoint?: string;
  pendingConfirmation: boolean;
}

interface Topic {
  arn: string;
  region: string;
  subscriptions: SnsSubscription[];
  /** The attributes set on it (DisplayName, KmsMasterKeyId, ...). */
  attributes: Record<string, string>;
}

/** SNS's own codes: `NotFound` (404) for an unknown topic, `InvalidParameter` (400) for bad input. */
function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameter', `Invalid parameter: ${message}`);
}

/** Protocols that need the endpoint owner to confirm before delivery. */
const CONFIRMED_BY_OWNER = new Set(['email', 'email-json', 'http', 'https']);

/**
 * The sandbox's SNS: topics, subscriptions and a record of every published message.
 * Nothing is delivered; the demo prints notifications through {@link SnsService.onPublish}.
 */
export class SnsService extends ModelService {
  readonly signingNames = ['sns'] as const;
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-sns', 'SNSClient');
  /** Every message published, in order. */
  readonly published: PublishedMessage[] = [];
  private readonly topicsByAccount = new Map<string, Map<string, Topic>>();
  private listeners: ((message: PublishedMessage) => void)[] = [];

  /** Be told about every message as it is published. Returns an unsubscribe function. */
  onPublish(listener: (message: PublishedMessage) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** The subscriptions of a topic, for tests. */
  subscriptions(accountId: string, topicArn: string): readonly SnsSubscription[] {
    return this.topics(accountId).get(topicArn)?.subscriptions ?? [];
  }

  protected readonly operations: Record<string, OperationHandler> = {
    CreateTopic: (req, { Name: name, Attributes }: WithRequired<CreateTopicInput, 'Name'>) => {
      // Topic names: up to 256 letters, digits, hyphens and underscores; FIFO topics end in `.fifo`.
      if (!/^[\w-]{1,256}(\.fifo)?$/.test(name)) throw invalidParameter('Topic Name');
      const arn = `arn:aws:sns:${req.region}:${req.accountId}:${name}`;
      const topics = this.topics(req.accountId);
      // CreateTopic is idempotent: an existing name returns the same ARN.
      const attributes = checkTopicAttributes(Attributes ?? {});
      if (!topics.has(arn)) topics.set(arn, { arn, region: req.region, subscriptions: [], attributes });
      return { TopicArn: arn };
    },

    // KmsMasterKeyId is answered only while set: its absence is a topic without SSE.
    GetTopicAttributes: (req, { TopicArn }: WithRequired<GetTopicAttributesInput, 'TopicArn'>) => {
      const topic = this.requireTopic(req.accountId, TopicArn);
      const confirmed = topic.subscriptions.filter((s) => !s.pendingConfirmation).length;
      return {
        Attributes: {
          ...topic.attributes,
          TopicArn: topic.arn,
          Owner: req.accountId,
          SubscriptionsConfirmed: String(confirmed),
          SubscriptionsPending: String(topic.subscriptions.length - confirmed),
          SubscriptionsDeleted: '0',
        },
      };
    },

    SetTopicAttributes: (
      req,
      params: WithRequired<SetTopicAttributesInput, 'TopicArn' | 'AttributeName'>,
    ) => {
      const topic = this.requireTopic(req.accountId, params.TopicArn);
      topic.attributes = setTopicAttribute(topic.attributes, params.AttributeName, params.AttributeValue);
      return {};
    },

    ListTopics: (req, input: ListTopicsInput) => {
      const arns = [...this.topics(req.accountId).values()]
        .filter((t) => t.region === req.region)
        .map((t) => t.arn)
        .sort();
      const page = pageOf(arns, { marker: input.NextToken, markerName: 'NextToken' });
      return { Topics: page.items.map((arn) => ({ TopicArn: arn })), NextToken: page.marker };
    },

    Subscribe: (req, params: WithRequired<SubscribeInput, 'TopicArn' | 'Protocol'>) => {
      const topic = this.requireTopic(req.accountId, params.TopicArn);
      const protocol = params.Protocol;
      const pendingConfirmation = CONFIRMED_BY_OWNER.has(protocol);
      const subscription: SnsSubscription = {
        subscriptionArn: `${topic.arn}:${randomUUID()}`,
        protocol,
        endpoint: params.Endpoint,
        pendingConfirmation,
      };
      topic.subscriptions.push(subscription);
      // Until confirmed, AWS answers with the literal "pending confirmation" instead of an ARN.
      const showArn = !pendingConfirmation || params.ReturnSubscriptionArn === true;
      return { SubscriptionArn: showArn ? subscription.subscriptionArn : 'pending confirmation' };
    },

    Publish: (req, params: WithRequired<PublishInput, 'Message'>) => {
      const topicArn = params.TopicArn ?? params.TargetArn;
      if (!topicArn) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
      const topic = this.requireTopic(req.accountId, topicArn);
      const message = params.Message;
      if (!message) throw invalidParameter('Empty message');
      const subject = params.Subject;
      if (subject !== undefined && subject.length > 100) throw invalidParameter('Subject');
      const published: PublishedMessage = {
        messageId: randomUUID(),
        accountId: req.accountId,
        topicArn: topic.arn,
        subject,
        message,
        messageAttributes: messageAttributes(params.MessageAttributes ?? {}),
        at: new Date(),
      };
      this.published.push(published);
      for (const listener of this.listeners) listener(published);
      return { MessageId: published.messageId };
    },
  };

  private topics(accountId: string): Map<string, Topic> {
    let topics = this.topicsByAccount.get(accountId);
    if (!topics) {
      topics = new Map();
      this.topicsByAccount.set(accountId, topics);
    }
    return topics;
  }

  private requireTopic(accountId: string, topicArn: string): Topic {
    const topic = this.topics(accountId).get(topicArn);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
    return topic;
  }
}

/** The message attributes as published; binary values kept base64, as the query protocol carries them. */
function messageAttributes(
  given: Record<string, MessageAttributeValue>,
): Record<string, SnsMessageAttribute> {
  const attributes: Record<string, SnsMessageAttribute> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!value.DataType) throw invalidParameter(`The message attribute '${name}' must contain a DataType`);
    attributes[name] = {
      DataType: value.DataType,
      StringValue: value.StringValue,
      BinaryValue: value.BinaryValue && Buffer.from(value.BinaryValue).toString('base64'),
    };
  }
  return attributes;
}
