import type * as z from 'zod/mini';
import { InvalidFindingError } from '#shared/errors.ts';

/** The part of a CloudTrail event a call's request is read from. */
export interface RecordedCall {
  detail: { eventName: string; requestParameters?: Record<string, unknown> | null };
}

/**
 * Parse the call's request against `schema`; a call whose request lacks what it must name is
 * rejected, naming the field. Only the request is parsed: the event was validated whole already.
 */
export function requestAs<T extends z.ZodMiniType>(event: RecordedCall, schema: T): z.infer<T> {
  const parsed = schema.safeParse(event.detail.requestParameters ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map(
    (issue) => `detail.requestParameters.${issue.path.join('.')}: ${issue.message}`,
  );
  throw new InvalidFindingError(`${event.detail.eventName} names nothing usable: ${issues[0]}`, issues);
}
