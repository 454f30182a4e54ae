import {availableParallelism} from 'node:os'
import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    // Vitest leaves a core to its main process; the suite is CPU-bound in the workers, and on CI's 2 cores
    // one worker took twice as long (measured: 203 s with one, 117 s with two).
    maxWorkers: availableParallelism(),
    // oclif writes through console.log; without this vitest swallows it before process.stdout (oclif/test#655).
    disableConsoleIntercept: true,
    // AWS credentials are never needed: every client is mocked. These keep the
    // SDK from searching the machine for a profile.
    env: {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      // Should a call ever escape the fakes (a test that timed out and restored them while its run
      // went on), it goes to a closed local port, never to AWS.
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    },
  },
})
