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
