import { describe, expect, it } from 'vitest';
import { printResponse } from '#cli/commands/approvals.ts';
import { renderTimeline } from '#cli/commands/audit.ts';
import { printNotifications } from '#cli/commands/notifications.ts';
import { connection, sandboxEndpoint } from '#cli/connection.ts';
import { wrapLine } from '#cli/demo-story.ts';
import { jsonLine } from '#cli/json-line.ts';
import { sandboxExports } from '#cli/serve-sandbox.ts';
import type { CliResponse } from '#functions/approval-decision/cli-actions.ts';
import type { StoredRecord } from '#shared/audit/reader.ts';
import { recordOutput } from './run-cli.ts';

const EXECUTION =
  'arn:aws:states:us-east-1:111122223333:execution:AutoRemediation-PlaybookdisableaccesskeyStateMachine622B323F-79F2047FB1A3:disable-access-key-95913f04';
const FINDING = 'd0c50000000000000000000000000b0b';

const record = (seq: number, extra: Partial<StoredRecord> = {}): StoredRecord =>
  ({
    pk: `FINDING#${FINDING}`,
    sk: `2026-12-05T21:33:3${seq}.000Z#x`,
    resourceKey: 'RESOURCE#x',
    at: `2026-12-05T21:33:3${seq}.000Z`,
    actor: 'playbook/disable-access-key',
    action: 'UpdateAccessKey',
    outcome: 'succeeded',
    findingId: FINDING,
    playbook: 'disable-access-key',
    seq,
    ...extra,
  }) as StoredRecord;

describe('--json: one object per line, nested values as JSON', () => {
  it('an audit record: before/after/details are objects, not strings', () => {
    const line = jsonLine(
      record(1, { before: '{"keys":[{"Status":"Active"}]}', details: '[1,2]', reason: '{not json' }),
    );
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(parsed.before).toEqual({ keys: [{ Status: 'Active' }] });
    expect(parsed.details).toEqual([1, 2]);
    expect(parsed.reason).toBe('{not json');
  });

  it('approvals list: one line per approval, its finding an object', () => {
    const approval = {
      id: 'apr-0123456789abcdef',
      finding: '{"resource":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE"}}',
    };
    const response = {
      ok: true,
      approvals: [approval, { ...approval, id: 'apr-1123456789abcdef' }],
    } as unknown as CliResponse;
    const out = recordOutput();
    expect(printResponse(response, out, true)).toBe(0);
    expect(out.out).toHaveLength(2);
    expect(JSON.parse(out.out[0] as string).finding.resource.accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
  });

  it('approvals list --quiet: the ids only, for scripts', () => {
    const response = { ok: true, approvals: [{ id: 'apr-0123456789abcdef' }] } as unknown as CliResponse;
    const out = recordOutput();
    printResponse(response, out, false, new Date(), true);
    expect(out.out).toEqual(['apr-0123456789abcdef']);
  });

  it('notifications: one line each', () => {
    const out = recordOutput();
    printNotifications(
      [{ at: '2026-12-05T21:33:37.000Z', topicArn: 'arn:aws:sns:us-east-1:1:t', message: 'a\nb' }],
      out,
      true,
    );
    expect(out.out).toHaveLength(1);
    expect(JSON.parse(out.out[0] as string).message).toBe('a\nb');
  });
});

describe('the audit timeline names what the next command needs', () => {
  it('the full finding id and the execution ARN undo takes', () => {
    const text = renderTimeline([
      record(1, { actor: 'classify', action: 'classify', outcome: 'routed' }),
      record(2, { executionArn: EXECUTION }),
    ]);
    expect(text).toContain(`finding ${FINDING}`);
    expect(text).toContain(`execution ${EXECUTION}  (disable-access-key)`);
  });
});

describe('--local and the sandbox', () => {
  it('--local uses AWS_ENDPOINT_URL (any port) and the caller’s keys when set', () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4599',
      AWS_ACCESS_KEY_ID: 'AKIAONCALL',
      AWS_SECRET_ACCESS_KEY: 's',
    };
    expect(connection({ local: true }, env)).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4599',
      credentials: { accessKeyId: 'AKIAONCALL', secretAccessKey: 's' },
    });
    expect(sandboxEndpoint({})).toBe('http://127.0.0.1:4566');
    expect(connection({ local: true }, {}).credentials?.accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
  });

  it('the exports the sandbox prints set the region for AWS CLI v1 too', () => {
    expect(sandboxExports('http://127.0.0.1:4599')).toMatch(/AWS_DEFAULT_REGION=us-east-1/);
  });

  it('demo lines wrap at spaces within 100 columns', () => {
    const line = `  ${'word '.repeat(60)}end`;
    const lines = wrapLine(line);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(lines.join(' ').replace(/\s+/g, ' ').trim()).toBe(line.replace(/\s+/g, ' ').trim());
  });
});
