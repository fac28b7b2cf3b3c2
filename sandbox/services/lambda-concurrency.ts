import { AwsError } from '../protocol.ts';

/**
 * Reserved concurrency of the sandbox's Lambda functions: Put/Get/DeleteFunctionConcurrency,
 * and the throttling it implies. "To throttle a function, set the reserved concurrency to zero":
 * every invocation is then refused with `TooManyRequestsException` (HTTP 429) until the limit is removed or raised.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
 * The sandbox runs few invocations at once, so only a limit of 0 refuses anything here.
 */

/** `PUT|DELETE /2017-10-31/functions/{FunctionName}/concurrency`, `GET /2019-09-30/...`. */
const CONCURRENCY_PATH = /^\/(2017-10-31|2019-09-30)\/functions\/([^/]+)\/concurrency\/?$/;

/** The operation a concurrency request names, with its function; `undefined` for other paths. */
export function concurrencyRequest(
  method: string,
  path: string,
): { operation: string; functionName: string } | undefined {
  const match = CONCURRENCY_PATH.exec(path);
  if (!match) return undefined;
  const functionName = decodeURIComponent(match[2] ?? '');
  if (match[1] === '2019-09-30' && method === 'GET')
    return { operation: 'GetFunctionConcurrency', functionName };
  if (match[1] === '2017-10-31' && method === 'PUT')
    return { operation: 'PutFunctionConcurrency', functionName };
  if (match[1] === '2017-10-31' && method === 'DELETE')
    return { operation: 'DeleteFunctionConcurrency', functionName };
  return undefined;
}

/** Reserved concurrency by function ARN. */
export class ReservedConcurrency {
  private readonly byArn = new Map<string, number>();

  /** The function's reserved concurrency, or `undefined` when it uses the unreserved pool. */
  of(functionArn: string): number | undefined {
    return this.byArn.get(functionArn);
  }

  /** PutFunctionConcurrency: `ReservedConcurrentExecutions` is an integer of at least 0 (API_Concurrency). */
  put(functionArn: string, body: string): number {
    const value = (JSON.parse(body || '{}') as { ReservedConcurrentExecutions?: unknown })
      .ReservedConcurrentExecutions;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new AwsError(
        'InvalidParameterValueException',
        'ReservedConcurrentExecutions must be an integer of at least 0',
      );
    this.byArn.set(functionArn, value);
    return value;
  }

  delete(functionArn: string): void {
    this.byArn.delete(functionArn);
  }

  /** Refuse an invocation of a function throttled to zero, as Lambda does. */
  refuseIfThrottled(functionArn: string): void {
    if (this.byArn.get(functionArn) !== 0) return;
    throw new AwsError('TooManyRequestsException', 'Rate Exceeded.', 429);
  }
}
