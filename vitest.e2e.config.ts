import {defineConfig} from 'vitest/config'

// `npm run test:e2e`: the whole-stack scenario against a real endpoint (an AWS
// account, LocalStack or moto through AWS_ENDPOINT_URL). Skipped unless CONTAINRLAB_E2E=1.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 60 * 60_000,
  },
})
