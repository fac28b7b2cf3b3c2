import { CommanderError } from 'commander';
import { RemediationError } from '#shared/errors.ts';
import { displayBlock } from '#shared/text/display.ts';
import { DEFAULT_SANDBOX_ENDPOINT } from './connection.ts';

/**
 * The exit codes of every `remediate` command (documented in docs/operations.md):
 * 0 done; 1 refused, or a check failed (a policy test, a chain, an undo the trail forbids);
 * 2 the command could not run as given: usage, input, or the environment it was pointed at.
 */
export const EXIT = { done: 0, refused: 1, usage: 2 } as const;

/** A refusal that is an answer, not a mistake (exit 1): an undo the trail forbids, an unknown finding. */
export class RefusedError extends RemediationError {
  override name = 'RefusedError';
}

/** What the user sees for a failure: one line saying what is wrong and what to do, and the exit code. */
export interface Failure {
  readonly message: string;
  readonly exitCode: number;
}

/** Node's (or the SDK's) error code of `error` or of whatever caused it. */
function codeOf(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined; e; ) {
    if (typeof e.code === 'string') return e.code;
    const nested = e.errors?.find((x) => typeof (x as { code?: unknown }).code === 'string');
    if (nested) return (nested as { code: string }).code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/**
 * Turn anything a command throws into a {@link Failure}: our typed errors say what to do already;
 * the usual environment problems (no sandbox, no credentials, a port in use) get the fix; anything
 * else is one line too, with how to see the stack trace (`REMEDIATE_DEBUG=1`).
 */
export function describeFailure(error: unknown, env: NodeJS.ProcessEnv = process.env): Failure {
  if (error instanceof CommanderError) {
    // Commander has printed its own message; help and version are not failures.
    return { message: '', exitCode: error.exitCode === 0 ? EXIT.done : EXIT.usage };
  }
  if (error instanceof RefusedError) return { message: error.message, exitCode: EXIT.refused };
  if (error instanceof RemediationError) return { message: error.message, exitCode: EXIT.usage };
  const e = error as { name?: string; message?: string; port?: number; address?: string };
  const code = codeOf(error);
  const endpoint = env.AWS_ENDPOINT_URL || DEFAULT_SANDBOX_ENDPOINT;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    return {
      message: `nothing answers at ${endpoint}: start it with \`npx remediate sandbox\` (another port: --port N, then export the AWS_ENDPOINT_URL it prints)`,
      exitCode: EXIT.usage,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      message: `cannot resolve the AWS endpoint (${e.message}): check the network, AWS_REGION, or use --local for the sandbox`,
      exitCode: EXIT.usage,
    };
  }
  if (code === 'EADDRINUSE') {
    return {
      message: `port ${e.port ?? ''} is in use (another sandbox?): stop it, or choose another with --port N (0 picks a free one)`,
      exitCode: EXIT.usage,
    };
  }
  if (code === 'EACCES' && e.port !== undefined) {
    return {
      message: `port ${e.port} needs privileges: choose one above 1023 with --port N`,
      exitCode: EXIT.usage,
    };
  }
  if (e.name === 'CredentialsProviderError') {
    return {
      message:
        'no AWS credentials found: configure them (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or add --local to use the sandbox',
      exitCode: EXIT.usage,
    };
  }
  if (
    ['UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException'].includes(
      e.name ?? '',
    )
  ) {
    return {
      message: `AWS refused the credentials (${e.name}): refresh them (aws sso login, new keys)`,
      exitCode: EXIT.usage,
    };
  }
  if (['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(e.name ?? '')) {
    return {
      message: `${e.name}: ${e.message} (ask for the permission, or use other credentials)`,
      exitCode: EXIT.refused,
    };
  }
  return {
    message: `${e.name ?? 'Error'}: ${e.message ?? String(error)} (set REMEDIATE_DEBUG=1 to see where it happened)`,
    exitCode: EXIT.usage,
  };
}

/** Print a failure on stderr, one line (or the whole stack with `REMEDIATE_DEBUG=1`), and set the exit code. */
export function reportFailure(error: unknown, env: NodeJS.ProcessEnv = process.env): void {
  const failure = describeFailure(error, env);
  // The message may quote a finding, a file or a command line: shown, never obeyed by the terminal.
  if (failure.message) console.error(`remediate: ${displayBlock(failure.message)}`);
  if (env.REMEDIATE_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
  process.exitCode = failure.exitCode;
}
