/**
 * The formats of values that come from outside (a finding, a command line) and are used to
 * build something: a client's region, a time shown to an approver. A value that does not have
 * the format is refused or shown as unrecognized, never passed on as it is.
 */

/**
 * An AWS Region name: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-northwest-1`.
 * See https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** True when `value` is an AWS Region name (see {@link REGION_NAME}). */
export function isRegionName(value: string): boolean {
  return REGION_NAME.test(value);
}

/** An ISO-8601 date-time in UTC or with an offset, as AWS services write them. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** True when `value` is an ISO-8601 date-time that names a real instant. */
export function isIsoDateTime(value: string): boolean {
  return ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}
