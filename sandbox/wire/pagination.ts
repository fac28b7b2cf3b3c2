import { AwsError } from '../protocol.ts';

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  /** Opaque marker for the next page, present only when truncated. */
  marker?: string;
}

/**
 * Slice `items` by the caller's marker and page size (default 100, as IAM documents and as SNS
 * uses for its fixed pages). Markers are opaque to callers. The names are those of the
 * operation's members, for the error message.
 */
export function pageOf<T>(
  items: readonly T[],
  request: { marker?: string; maxItems?: number; markerName?: string; maxItemsName?: string },
): Page<T> {
  const maxItems = request.maxItems ?? 100;
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
    throw new AwsError(
      'ValidationError',
      `${request.maxItemsName ?? 'MaxItems'} must be an integer between 1 and 1000`,
    );
  }
  const start = request.marker ? Number(Buffer.from(request.marker, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) {
    throw new AwsError('ValidationError', `Invalid ${request.markerName ?? 'Marker'}`);
  }
  const end = start + maxItems;
  const isTruncated = end < items.length;
  return {
    items: items.slice(start, end),
    isTruncated,
    marker: isTruncated ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}

/**
 * A NextToken page (EC2, Auto Scaling, ELBv2): all remaining items unless a page size is given;
 * the token is an opaque offset, and a token that is not one is refused with `invalidTokenCode`.
 */
export function tokenPage<T>(
  items: readonly T[],
  request: { token?: string; max?: number; invalidTokenCode: string },
): { items: T[]; nextToken?: string } {
  const start = request.token ? Number(Buffer.from(request.token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) {
    throw new AwsError(request.invalidTokenCode, 'The specified pagination token is not valid.');
  }
  const end = Math.min(items.length, start + Math.max(request.max ?? items.length, 1));
  const nextToken = end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined;
  return { items: items.slice(start, end), nextToken };
}
