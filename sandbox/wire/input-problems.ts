import { AwsError } from '../protocol.ts';
import type { ModelProtocol } from './service-model.ts';

/** What is wrong with one member of a request, found by checking it against the operation's model. */
export type InputProblem =
  | { kind: 'unknown'; path: string; wireName: string }
  | { kind: 'missing'; path: string; wireName: string }
  | { kind: 'type'; path: string; wireName: string; value: string; expected: string }
  | { kind: 'enum'; path: string; wireName: string; value: string; allowed: readonly string[] };

/** The request does not match the operation's input shape. */
export class InputShapeError extends Error {
  override name = 'InputShapeError';
  constructor(readonly problems: readonly InputProblem[]) {
    super(problems.map(describe).join('; '));
  }
}

/** AWS's constraint wording, used by the query and JSON services' validation errors. */
function describe(problem: InputProblem): string {
  switch (problem.kind) {
    case 'unknown':
      return `'${problem.wireName}' is not a member of the operation's input`;
    case 'missing':
      return `Value null at '${problem.path}' failed to satisfy constraint: Member must not be null`;
    case 'type':
      return `Value '${problem.value}' at '${problem.path}' failed to satisfy constraint: Member must be ${problem.expected}`;
    case 'enum':
      return `Value '${problem.value}' at '${problem.path}' failed to satisfy constraint: Member must satisfy enum value set: [${problem.allowed.join(', ')}]`;
  }
}

function validationMessage(problems: readonly InputProblem[]): string {
  const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
  return `${count} detected: ${problems.map(describe).join('; ')}`;
}

/**
 * The error each protocol's services answer a malformed request with.
 * - Query (IAM, STS, SNS, Auto Scaling, ELBv2): `ValidationError`, "The input fails to satisfy the
 *   constraints specified by an AWS service" (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html).
 * - EC2: `UnknownParameter`, `MissingParameter`, `InvalidParameterValue`
 *   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 * - JSON: `SerializationException` when the body cannot be read into the input shape (an unknown
 *   member, a value of the wrong type), `ValidationException` when a read value breaks a constraint
 *   (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html).
 */
export function inputErrorFor(protocol: ModelProtocol, error: InputShapeError): AwsError {
  const problems = error.problems;
  const first = problems[0] as InputProblem;
  switch (protocol) {
    case 'query':
      return new AwsError('ValidationError', validationMessage(problems));
    case 'ec2':
      switch (first.kind) {
        case 'unknown':
          return new AwsError('UnknownParameter', `The parameter ${first.wireName} is not recognized`);
        case 'missing':
          return new AwsError('MissingParameter', `The request must contain the parameter ${first.wireName}`);
        case 'type':
        case 'enum':
          return new AwsError(
            'InvalidParameterValue',
            `Value (${first.value}) for parameter ${first.wireName} is invalid. ${describe(first)}`,
          );
      }
      break;
    case 'json':
    case 'rest-json': {
      const unreadable = problems.find((p) => p.kind === 'unknown' || p.kind === 'type');
      if (unreadable) return new AwsError('SerializationException', describe(unreadable));
      return new AwsError('ValidationException', validationMessage(problems));
    }
  }
  return new AwsError('ValidationError', validationMessage(problems));
}
