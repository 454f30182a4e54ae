/**
 * Peak RSS of one spec's lifecycle (the generated 200-resource stack, the
 * full example), in a process of its own so that the figure is this
 * workload's and not the benchmark harness's: plan offline, up from empty,
 * a no-op up, plan against the deployed stack, teardown. Prints one JSON line. (Timings are taken in the main process,
 * after a warm-up; this process stays cold on purpose: no extra heap.)
 */
import {planTimes, runScenario} from './scenario.js'

const [scale = '0.01', file] = process.argv.slice(2)
if (!file) throw new Error('usage: scale-worker <scale> <spec file>')
await planTimes(file, Number(scale))
await runScenario(file, Number(scale))
process.stdout.write(`${JSON.stringify({peakRssMb: process.resourceUsage().maxRSS / 1024})}\n`)
