/**
 * The 200-resource scenario in a process of its own, so that its peak RSS is
 * the tool's and not the benchmark harness's. Prints one JSON line.
 */
import {performance} from 'node:perf_hooks'
import {Session} from '../src/app/session.js'
import {plan} from '../src/app/up.js'
import {join} from 'node:path'
import {writeGeneratedSpec} from './generate.js'
import {projectRoot} from './paths.js'
import {openSession, runScenario, simulatedCloud, upFromEmpty} from './scenario.js'

const scale = Number(process.argv[2] ?? '0.01')
const file = writeGeneratedSpec()

// Warm-up (module loading, JIT): local one-off costs that AWS latency does not scale.
await runScenario(join(projectRoot(), 'examples', 'containrlab.yaml'), scale)

const offlineStarted = performance.now()
const offline = await plan(await Session.open({file, concurrency: 10}), {offline: true})
const planOfflineMs = performance.now() - offlineStarted

const scenario = await runScenario(file, scale)

// A plan against the deployed stack: reads and diffs 200 resources.
const cloud = simulatedCloud(scale)
let planOnlineMs: number
try {
  await upFromEmpty(cloud, file, scale, 10)
  const session = await openSession(file, scale, 10)
  const started = performance.now()
  const online = await plan(session, {offline: false})
  planOnlineMs = performance.now() - started
  if (online.changes) throw new Error('plan of a deployed stack shows changes')
} finally {
  cloud.restore()
}

const rssMb = process.resourceUsage().maxRSS / 1024
process.stdout.write(`${JSON.stringify({file, resources: offline.resources.length, planOfflineMs, planOnlineMs, scenario, peakRssMb: rssMb})}\n`)
