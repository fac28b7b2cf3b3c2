import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Tests run on Node 20 too; the SDK's notice about its future Node 22 requirement is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    restoreMocks: true,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One worker per core. Vitest's default in run mode leaves one core out (one worker on a
    // 2-core CI machine), there for the main process, which here does little but transform files.
    maxWorkers: '100%',
  },
});
