/** Whether a decision's reason says anything: not empty, not only whitespace (it is audited). */
export function hasReason(reason: string): boolean {
  return reason.trim().length > 0;
}
