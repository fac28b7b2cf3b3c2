import { AwsError } from '../../protocol.ts';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/**
 * One page of a Step Functions list operation. `maxResults` 0 or absent means the default page of
 * 100 (the API reference's rule); `nextToken` is opaque to callers and `InvalidToken` when it was
 * not issued here.
 */
export function page<T>(
  items: readonly T[],
  request: { maxResults?: unknown; nextToken?: unknown },
): {
  items: T[];
  nextToken?: string;
} {
  const maxResults = Number(request.maxResults ?? 0);
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > MAX_PAGE_SIZE) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${String(request.maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE_SIZE}`,
    );
  }
  const size = maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
  const start = request.nextToken === undefined ? 0 : decodeToken(request.nextToken);
  const end = start + size;
  return { items: items.slice(start, end), nextToken: end < items.length ? encodeToken(end) : undefined };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeToken(token: unknown): number {
  try {
    const { offset } = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as {
      offset?: unknown;
    };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch (error) {
    throw new AwsError('InvalidToken', `Invalid Token: '${String(token)}' (${(error as Error).message})`);
  }
  throw new AwsError('InvalidToken', `Invalid Token: '${String(token)}'`);
}
