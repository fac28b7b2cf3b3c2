import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StepFunctionsRegistry } from '#sandbox/services/stepfunctions/registry.ts';
import { ValidatedDefinitions } from '#sandbox/services/stepfunctions/validated-definitions.ts';

const store = mkdtempSync(path.join(tmpdir(), 'validated-definitions-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const definition = (result: string) =>
  JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', Result: result, End: true } } });

describe('definitions validated once', () => {
  it('are known to another process (a new instance over the same folder), by their exact text', () => {
    const first = new ValidatedDefinitions(store);
    expect(first.has(definition('a'))).toBe(false);
    first.add(definition('a'));
    const other = new ValidatedDefinitions(store);
    expect(other.has(definition('a'))).toBe(true);
    expect(other.has(definition('b'))).toBe(false);
    expect(other.has(` ${definition('a')}`)).toBe(false);
  });

  it("are kept apart by the validator's version", () => {
    const [versionDir] = readdirSync(store);
    expect(versionDir).toMatch(/^aws-local-stepfunctions@\d+\.\d+\.\d+\+asl-validator@\d+\.\d+\.\d+$/);
  });

  it('never include a refused definition: creating it again is refused again', () => {
    const registry = new StepFunctionsRegistry({ timeScale: 1, callbackTimeScale: 1 });
    // A Choice state without Choices, in a machine no other test uses.
    const invalid = JSON.stringify({
      Comment: `refused ${process.pid}`,
      StartAt: 'Pick',
      States: { Pick: { Type: 'Choice', Default: 'Done' }, Done: { Type: 'Succeed' } },
    });
    const create = (name: string) =>
      registry.putStateMachine({
        arn: `arn:aws:states:us-east-1:111122223333:stateMachine:${name}`,
        name,
        accountId: '111122223333',
        region: 'us-east-1',
        definition: invalid,
        roleArn: 'arn:aws:iam::111122223333:role/machine',
        type: 'STANDARD',
      });
    expect(() => create('first')).toThrow(expect.objectContaining({ code: 'InvalidDefinition' }));
    expect(() => create('second')).toThrow(expect.objectContaining({ code: 'InvalidDefinition' }));
  });
});
