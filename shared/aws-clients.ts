/**
 * Common configuration for every AWS SDK client the product creates. The SDK reads
 * `AWS_ENDPOINT_URL` itself, so the same bundle talks to AWS or to the local sandbox;
 * retries use the SDK's adaptive mode (client-side rate limiting on throttling).
 */
export function clientConfig(): { region?: string; maxAttempts: number; retryMode: string } {
  return {
    region: process.env.AWS_REGION,
    maxAttempts: 5,
    retryMode: 'adaptive',
  };
}

/**
 * A client made on first use instead of at import: a Lambda function builds only the clients its
 * invocation needs (classify sends to SQS only for a rejected event, to SNS only to notify), and
 * none during the cold start's init phase. Methods are bound to the client once it exists.
 */
export function onFirstUse<T extends object>(make: () => T): T {
  let client: T | undefined;
  const real = (): T => {
    client ??= make();
    return client;
  };
  return new Proxy({} as T, {
    get(_target, property) {
      const value = Reflect.get(real(), property);
      return typeof value === 'function' ? value.bind(real()) : value;
    },
  });
}
