import {defineConfig} from 'vitest/config'

// `npm run test:moto`: every example end to end over real HTTP, through the built
// CLI (dist/), against moto, an open-source AWS emulator. test/moto/global-setup.ts
// starts moto with ../shared/moto/up.sh unless AWS_ENDPOINT_URL is set (then that
// endpoint is used, with the environment's credentials).
export default defineConfig({
  test: {
    include: ['test/moto/**/*.moto.ts'],
    globalSetup: ['test/moto/global-setup.ts'],
    // One cloud, and the side-by-side test counts what is in it: one file at a time, one test at a time.
    fileParallelism: false,
    sequence: {concurrent: false},
    // moto answers at once (NAT gateways are available immediately): a whole example takes seconds.
    testTimeout: 5 * 60_000,
    hookTimeout: 5 * 60_000,
    // The harness's own SDK clients (checking what is left) run on Node 20 on purpose, like the CLI.
    env: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
  },
})
