#!/usr/bin/env node
// oclif's `execute`, with stdout and stderr drained before the process exits (src/cli/main.ts).
import {main} from '../dist/cli/main.js'

await main({dir: import.meta.url})
