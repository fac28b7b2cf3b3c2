import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { RemediationError } from '#shared/errors.ts';
import { displayText } from '#shared/text/display.ts';
import { isRegionName } from '#shared/text/formats.ts';

/** Where `remediate sandbox` listens unless told another `--port`. */
export const DEFAULT_SANDBOX_ENDPOINT = 'http://127.0.0.1:4566';

/** A command line or environment setting that cannot be used (exit 2). */
export class UsageError extends RemediationError {
  override name = 'UsageError';
}

/**
 * The sandbox `--local` talks to: `AWS_ENDPOINT_URL` when set (what `remediate sandbox --port N`
 * prints to export), else the default port. The SDK reads the same variable for every client.
 */
export function sandboxEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_ENDPOINT_URL || DEFAULT_SANDBOX_ENDPOINT;
}

/** The region commands use: `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1. */
export function regionOf(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  const region = option ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
  // The region becomes part of the endpoint's host name: anything but a region name is refused.
  if (!isRegionName(region)) {
    throw new UsageError(`"${displayText(region, 40)}" is not an AWS Region name (e.g. us-east-1)`);
  }
  return region;
}

/** What an SDK client needs to reach AWS, or the sandbox with `--local`. */
export interface Connection {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * The client settings for a command. With `local`, the sandbox's endpoint, and the caller's own
 * keys when `AWS_ACCESS_KEY_ID` is set (so an approver created in the sandbox acts as itself),
 * else the sandbox's default key. Without it, the SDK's own chain decides (it also reads
 * `AWS_ENDPOINT_URL`).
 */
export function connection(
  options: { local?: boolean; region?: string },
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const region = regionOf(options.region, env);
  if (!options.local) return { region };
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
        }
      : SANDBOX_CREDENTIALS;
  return { region, endpoint: sandboxEndpoint(env), credentials };
}

/** `--port`: a whole number from 0 (any free port) to 65535, else a usage error naming it. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`--port ${displayText(text, 20)} is not a port: use 0 (any free port) to 65535`);
  }
  return port;
}

/** The help text of `--local`, the same on every command. */
export const LOCAL_HELP = `use the local sandbox: AWS_ENDPOINT_URL, else ${DEFAULT_SANDBOX_ENDPOINT}`;
