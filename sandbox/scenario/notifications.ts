import type { PathService, Protocol, SandboxRequest, SandboxResponse } from '../protocol.ts';
import type { PublishedMessage, SnsService } from '../services/sns.ts';

/**
 * Where a running sandbox shows what its SNS topics were sent: `GET <endpoint>/_sandbox/notifications`.
 * AWS SNS keeps no messages to read back (it delivers them to subscribers), and the sandbox
 * delivers nothing, so `remediate notifications --local` reads the sandbox's own record of every
 * Publish here. Unsigned, like function URLs: the sandbox listens on 127.0.0.1 only.
 */
export const NOTIFICATIONS_PATH = '/_sandbox/notifications';

/** One published message as `remediate notifications` prints it. */
export interface NotificationView {
  readonly at: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
}

/** The view of one published message (attributes and ids are SNS's, not the reader's). */
export function notificationView(m: PublishedMessage): NotificationView {
  return {
    at: m.at.toISOString(),
    topicArn: m.topicArn,
    ...(m.subject !== undefined && { subject: m.subject }),
    message: m.message,
  };
}

/** Serves {@link NOTIFICATIONS_PATH} from the sandbox's SNS record: the sandbox's own view, no AWS API. */
export class NotificationsRoute implements PathService {
  readonly protocol: Protocol = 'json';

  constructor(private readonly sns: Pick<SnsService, 'published'>) {}

  operation(): string {
    return 'ListPublishedMessages';
  }

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    if (req.method !== 'GET') return { status: 405, body: '' };
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.sns.published.map(notificationView)),
    };
  }
}
