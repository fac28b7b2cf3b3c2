/**
 * How every Lambda bundle is built (esbuild), shared by the construct that synthesizes them and
 * by the bundle benchmark that measures them, so the two cannot drift apart.
 */
export const LAMBDA_BUNDLE = {
  format: 'esm',
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); ESM output needs it defined.
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
} as const;
