import { AwsError } from '../../protocol.ts';

/** One step of a path: an object key or an array index. */
export type PathStep = string | number;

const STEP = /^(?:\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/;

/**
 * Parse the JSONPath subset EventBridge evaluates in InputPath and InputPathsMap: `$`, dotted
 * keys (`$.detail.instance-id`) and array indices (`$.resources[0]`).
 * @throws AwsError ValidationException for anything else, as PutTargets would.
 */
export function parseJsonPath(path: string): PathStep[] {
  if (!path.startsWith('$')) throw invalidPath(path);
  const steps: PathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (!match) throw invalidPath(path);
    const [whole, dotted, index, single, double] = match;
    steps.push(index !== undefined ? Number(index) : ((dotted ?? single ?? double) as string));
    rest = rest.slice(whole.length);
  }
  return steps;
}

function invalidPath(path: string): AwsError {
  return new AwsError('ValidationException', `${path} is not a valid JSON path.`);
}

/** The value at `steps` in `root`, or undefined when the event has nothing there. */
export function valueAtPath(root: unknown, steps: readonly PathStep[]): unknown {
  let node = root;
  for (const step of steps) {
    if (typeof step === 'number') {
      node = Array.isArray(node) ? node[step] : undefined;
    } else if (
      typeof node === 'object' &&
      node !== null &&
      !Array.isArray(node) &&
      Object.hasOwn(node, step)
    ) {
      node = (node as Record<string, unknown>)[step];
    } else {
      return undefined;
    }
  }
  return node;
}
