#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (needs `npx tsx`); `bin/run.js` runs the build in dist/.
import {main} from '../src/cli/main.ts'

await main({development: true, dir: import.meta.url})
