import { NOTIFICATIONS_PATH, type NotificationView } from '#sandbox/scenario/notifications.ts';
import { displayText, jsonText } from '#shared/text/display.ts';
import { sandboxEndpoint, UsageError } from '../connection.ts';
import { terminal } from '../terminal.ts';
import type { Output } from './policy.ts';

/**
 * SNS keeps no messages to read back: in AWS, notifications reach the topics' subscribers (the
 * `notificationEmail` context subscribes an address). Only the sandbox records what was published.
 * See https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html
 */
const AWS_HAS_NO_HISTORY =
  'SNS keeps no messages to read back: in AWS, read them where the topic delivers (subscribe with -c notificationEmail=…, see docs/deploy.md); add --local for the sandbox';

/** The sandbox's published messages, oldest first. */
export async function fetchNotifications(endpoint: string): Promise<NotificationView[]> {
  const response = await fetch(`${endpoint}${NOTIFICATIONS_PATH}`);
  if (!response.ok) {
    throw new UsageError(
      `${endpoint} answered ${response.status} for the notifications: is it a sandbox started by \`npx remediate sandbox\`?`,
    );
  }
  return (await response.json()) as NotificationView[];
}

/** Print notifications: a header line each (time, topic, subject), then the message, indented. */
export function printNotifications(
  notifications: readonly NotificationView[],
  out: Output,
  json: boolean,
): void {
  if (json) {
    for (const n of notifications) out.log(jsonText(n));
    return;
  }
  if (notifications.length === 0) {
    out.log('No notifications yet.');
    return;
  }
  for (const n of notifications) {
    const topic = n.topicArn.split(':').at(-1) ?? n.topicArn;
    // Subject and message quote findings: shown line by line, never obeyed by the terminal.
    out.log(displayText(`${n.at.replace(/\.\d+Z$/, 'Z')}  ${topic}  ${n.subject ?? '(no subject)'}`));
    for (const line of n.message.split('\n')) out.log(`    ${displayText(line)}`);
    out.log('');
  }
  out.log(`${notifications.length} notification(s).`);
}

/** `remediate notifications --local`: what the sandbox's SNS topics were sent (approval links included). */
export async function showNotifications(opts: { local?: boolean; json?: boolean }): Promise<void> {
  if (!opts.local) throw new UsageError(AWS_HAS_NO_HISTORY);
  printNotifications(await fetchNotifications(sandboxEndpoint()), terminal, opts.json ?? false);
}
