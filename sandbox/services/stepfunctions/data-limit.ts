/**
 * The largest input or output of a task, state or execution: 256 KiB of UTF-8 JSON text. A state
 * whose output, or a task whose input after Parameters or whose result, is larger fails the
 * execution with `States.DataLimitExceeded`, a terminal error that neither Retry nor Catch
 * (`States.ALL` included) handles.
 * https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Whether `value`, as the JSON text Step Functions passes on, is over {@link MAX_PAYLOAD_BYTES}. */
export function exceedsPayloadLimit(value: unknown): boolean {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8') > MAX_PAYLOAD_BYTES;
}

/** The error and cause an execution fails with, in AWS's words, naming the state. */
export function dataLimitFailure(stateName: string): { error: string; cause: string } {
  return {
    error: 'States.DataLimitExceeded',
    cause: `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
  };
}
