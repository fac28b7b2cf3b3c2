import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportRegions } from '#cli/commands/report.ts';
import { UsageError } from '#cli/connection.ts';

function cdkJson(context: Record<string, unknown>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'report-regions-')), 'cdk.json');
  writeFileSync(file, JSON.stringify({ app: 'x', context }));
  return file;
}

describe('remediate report: which regions’ trails it reads', () => {
  it('--regions names them, once each; --region or nothing reads one', () => {
    expect(reportRegions({ regions: 'eu-west-1, us-east-1,eu-west-1' })).toEqual(['eu-west-1', 'us-east-1']);
    expect(reportRegions({ region: 'eu-west-1' })).toBeUndefined();
    expect(reportRegions({})).toBeUndefined();
  });

  it('--all-regions reads the deployment’s `regions`, as a list or as -c text', () => {
    expect(reportRegions({ allRegions: true }, cdkJson({ regions: ['eu-west-1', 'us-east-1'] }))).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(reportRegions({ allRegions: true }, cdkJson({ regions: 'eu-central-1,us-west-2' }))).toEqual([
      'eu-central-1',
      'us-west-2',
    ]);
  });

  it('refuses what it cannot read: no regions configured, a bad name, two ways at once', () => {
    expect(() => reportRegions({ allRegions: true }, cdkJson({}))).toThrow(
      /sets none: name them with --regions/,
    );
    expect(() => reportRegions({ regions: 'eu-west-1,not a region' })).toThrow(UsageError);
    expect(() => reportRegions({ regions: ',' })).toThrow(/name at least one region/);
    expect(() => reportRegions({ region: 'eu-west-1', regions: 'us-east-1' })).toThrow(
      /use one of --region, --regions/,
    );
  });
});
