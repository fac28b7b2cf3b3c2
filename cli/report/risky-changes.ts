/** The kinds of decision change that fail `policy diff` unless `--allow` names them. */
export const RISKY_CHANGES = ['gains-auto', 'loses-containment'] as const;
export type RiskyChange = (typeof RISKY_CHANGES)[number];
