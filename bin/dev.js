#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (needs `npx tsx`); `bin/run.js` runs the build in dist/.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
