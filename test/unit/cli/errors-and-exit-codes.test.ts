import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from './run-cli.ts';

/** A user's environment: no SDK setting from the test runner, no credentials, no profile. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), 'remediate-home-')),
    ...extra,
  };
}

/** Nothing listens on port 1 (privileged, never bound here). */
const NOTHING = 'http://127.0.0.1:1';

/** Exactly one line on stderr, and no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0] as string;
}

describe('errors are one line with the fix, with exit codes 0/1/2', () => {
  it('undo refuses an argument that is not an execution ARN before any AWS call (exit 2)', async () => {
    // Nothing answers at the endpoint: a call made before the check would fail differently.
    const result = await runCliAsync(
      ['undo', 'not-an-arn', '--local'],
      userEnv({ AWS_ENDPOINT_URL: NOTHING }),
    );
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/"not-an-arn" is not a Step Functions execution ARN/);
  });

  it('--local goes where AWS_ENDPOINT_URL points, and a sandbox not running is one line (exit 2)', async () => {
    const result = await runCliAsync(
      ['approvals', 'list', '--local'],
      userEnv({ AWS_ENDPOINT_URL: NOTHING }),
    );
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toMatch(
      /^remediate: nothing answers at http:\/\/127\.0\.0\.1:1: start it with/,
    );
  });

  it('the SDK prints no Node-version notice, and missing credentials say how to get them (exit 2)', async () => {
    const result = await runCliAsync(
      ['audit', '--since', '1h'],
      userEnv({ AWS_ENDPOINT_URL: NOTHING, AWS_EC2_METADATA_DISABLED: 'true' }),
    );
    expect(result.stderr).not.toContain('NodeVersionSupportWarning');
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/^remediate: no AWS credentials found: .*--local/);
  });

  it('a bad --port and an unknown option are usage errors (exit 2)', async () => {
    const port = await runCliAsync(['sandbox', '--port', 'abc'], userEnv());
    expect(port.status).toBe(2);
    expect(oneLine(port.stderr)).toBe('remediate: --port abc is not a port: use 0 (any free port) to 65535');
    const option = await runCliAsync(['classify', '--no-such-option', 'x.json'], userEnv());
    expect(option.status).toBe(2);
    expect(oneLine(option.stderr)).toMatch(/unknown option '--no-such-option'/);
  });

  it('a port in use is one line naming it (exit 2)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const result = await runCliAsync(['sandbox', '--port', String(port), '--no-seed'], userEnv());
      expect(result.status).toBe(2);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        `remediate: port ${port} is in use (another sandbox?): stop it, or choose another with --port N (0 picks a free one)`,
      );
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      server.close();
    }
  }, 120_000);

  it('--help and --version are not failures (exit 0)', async () => {
    expect((await runCliAsync(['--version'], userEnv())).status).toBe(0);
    expect((await runCliAsync(['audit', '--help'], userEnv())).status).toBe(0);
  });
});
