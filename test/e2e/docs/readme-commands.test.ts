import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every ```bash block of README.md and docs/*.md runs as written against a sandbox started by
 * `remediate sandbox --port 0`, with the exports it prints (as a reader would paste them).
 *
 * Conventions (also in docs/operations.md):
 * - A block fenced ```bash aws-account needs a real AWS account, or values from one (`<id>`
 *   placeholders): it is not run. Any other ```bash block must run here.
 * - `http://127.0.0.1:4566` in a command is the sandbox's address: replaced by the port the test's
 *   sandbox got, as `remediate sandbox --port N` would print it.
 * - Lines starting with one of {@link NOT_RUN} are left out, for the reason given.
 * Blocks run in order, README.md first, then docs/ by name, each in its own `bash -e -o pipefail`.
 */
const NOT_RUN: Readonly<Record<string, string>> = {
  'npm ci': 'installs the dependencies this test already runs on (and removes node_modules first)',
  'npm test': 'this test runs inside npm test',
  'npm start': 'tested by test/e2e/stack/demo.test.ts',
  'npm run bench': 'takes minutes; run by hand, written to BENCHMARKS.md',
  'npx remediate sandbox': 'the test starts the sandbox itself (the same command, on a free port)',
};

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DOCUMENTS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

interface Block {
  readonly file: string;
  readonly line: number;
  readonly script: string;
}

/** The runnable ```bash blocks of a Markdown file (fences may be indented, as in a list). */
function bashBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1] ?? '';
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    const info = `${open[2]}${open[3]}`.trim();
    if (info === 'bash') {
      const body = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
        .filter((l) => !Object.keys(NOT_RUN).some((command) => l.startsWith(command)));
      if (body.some((l) => l.trim() !== '' && !l.trim().startsWith('#'))) {
        blocks.push({ file, line: i + 1, script: body.join('\n') });
      }
    }
    i = end;
  }
  return blocks;
}

const blocks = DOCUMENTS.flatMap((file) => bashBlocks(file, readFileSync(path.join(ROOT, file), 'utf8')));

let sandbox: ChildProcess;
let endpoint: string;
let exports: Record<string, string>;

beforeAll(async () => {
  sandbox = spawn(process.execPath, ['bin/remediate.js', 'sandbox', '--port', '0'], { cwd: ROOT });
  let printed = '';
  sandbox.stdout?.setEncoding('utf8');
  sandbox.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    printed += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    sandbox.once('exit', (code) => reject(new Error(`remediate sandbox exited ${code}: ${printed}`)));
    sandbox.stdout?.on('data', (chunk: string) => {
      printed += chunk;
      if (printed.includes('Press Ctrl+C to stop.')) resolve();
    });
  });
  endpoint = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1] as string;
  // The exports exactly as printed: what a reader pastes into their shell.
  exports = Object.fromEntries(
    [...printed.matchAll(/^\s*export (.+)$/gm)].flatMap((m) =>
      (m[1] ?? '').split(' ').map((pair) => pair.split('=') as [string, string]),
    ),
  );
}, 120_000);

afterAll(() => {
  sandbox?.kill('SIGTERM');
});

/** The reader's shell after the exports: no profile of this machine's user gets in the way. */
function withoutProfile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_PROFILE: _profile, ...rest } = env;
  return rest;
}

function runBlock(script: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'bash',
      ['-e', '-o', 'pipefail', '-c', script.replaceAll('http://127.0.0.1:4566', endpoint)],
      {
        cwd: ROOT,
        env: withoutProfile({ ...process.env, ...exports }),
        timeout: 60_000,
      },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    child.on('close', (status) => resolve({ status, output }));
  });
}

describe('documentation commands', () => {
  it('the sandbox prints exports for the AWS CLI v1 and v2, the SDKs and remediate', () => {
    expect(exports).toMatchObject({
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: expect.any(String),
      AWS_SECRET_ACCESS_KEY: expect.any(String),
    });
  });

  it('finds the blocks to run, including the approval flow of docs/sandbox.md', () => {
    expect(blocks.length).toBeGreaterThan(8);
    expect(blocks.some((b) => b.script.includes('npx remediate approvals approve'))).toBe(true);
  });

  // In order, one after another: later blocks use what earlier ones did (a contained key, an approval).
  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s runs as written',
    async (_, block) => {
      const { status, output } = await runBlock(block.script);
      expect({ status, output: status === 0 ? '' : output }).toEqual({ status: 0, output: '' });
      // Errors are one line with the fix, never a stack trace.
      expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    },
    120_000,
  );
});
