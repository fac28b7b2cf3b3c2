import { AwsError } from '../protocol.ts';

/**
 * Reserved concurrency of the sandbox's Lambda functions: Put/Get/DeleteFunctionConcurrency,
 * and the throttling it implies. "To throttle a function, set the reserved concurrency to zero":
 * every invocation is then refused with `TooManyRequestsException` (HTTP 429) until the limit is removed or raised.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
 * The sandbox runs few invocations at once, so only a limit of 0 refuses anything here.
 */

/** Reserved concurrency by function ARN. */
export class ReservedConcurrency {
  private readonly byArn = new Map<string, number>();

  /** The function's reserved concurrency, or `undefined` when it uses the unreserved pool. */
  of(functionArn: string): number | undefined {
    return this.byArn.get(functionArn);
  }

  /** PutFunctionConcurrency: `ReservedConcurrentExecutions` is an integer of at least 0 (API_Concurrency). */
  put(functionArn: string, value: number): number {
    if (!Number.isInteger(value) || value < 0)
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
