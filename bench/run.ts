/**
 * `npm run bench`: convergence time against the critical path, API calls of
 * a no-op `up`, teardown, a 200-resource stack, concurrency sensitivity and
 * CLI start-up. Runs the real engine against the in-memory fake cloud with
 * AWS latencies from bench/model.ts scaled by --scale (default 1/100).
 * Prints tables and writes bench/results.json. Measures; never fails a build.
 */
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {availableParallelism, loadavg} from 'node:os'
import {join} from 'node:path'
import {table} from '../src/ui/format.js'
import {writeGeneratedSpec} from './generate.js'
import {projectRoot} from './paths.js'
import {type ScenarioFigures, planTimes, runScenario, simulatedCloud, upFromEmpty} from './scenario.js'
import {median, startupMs} from './startup.js'

const root = projectRoot()
const scaleArg = process.argv.find((arg) => arg.startsWith('--scale='))
const scale = scaleArg ? Number(scaleArg.slice('--scale='.length)) : 0.01
const repeats = 3
const examples = ['examples/containrlab.yaml', 'examples/endpoints-no-nat.yaml', 'examples/fargate-ha.yaml']
const RATIO_TARGET = 1.05

const fmt = (ms: number) => `${ms.toFixed(0)} ms`
const real = (ms: number) => `${(ms / scale / 1000).toFixed(0)} s`
const mark = (ok: boolean) => (ok ? 'ok' : 'MISS')

function log(line = ''): void {
  process.stdout.write(`${line}\n`)
}

/** Runs a scenario `repeats` times and keeps the run with the median up ratio (all runs are reported). */
async function medianScenario(file: string): Promise<ScenarioFigures & {upRatios: number[]; teardownRatios: number[]}> {
  const runs: ScenarioFigures[] = []
  for (let i = 0; i < repeats; i++) runs.push(await runScenario(join(root, file), scale))
  const byUp = [...runs].sort((a, b) => a.up.ratio - b.up.ratio)
  const chosen = byUp[Math.floor(runs.length / 2)]!
  const teardownMedian = [...runs].sort((a, b) => a.teardown.ratio - b.teardown.ratio)[Math.floor(runs.length / 2)]!
  return {...chosen, spec: file, teardown: teardownMedian.teardown, upRatios: runs.map((r) => r.up.ratio), teardownRatios: runs.map((r) => r.teardown.ratio)}
}

log(`containrlab benchmarks — simulated AWS latencies scaled by ${scale} (1 ms here ≈ ${(1 / scale / 1000).toFixed(1)} s on AWS)`)
// Every local cost weighs 1/scale times its real share, so CPU taken by other processes shows in the ratios:
// the load average at the start says how far to trust them (the machine has `cores` cores).
const load = {loadAverage1m: loadavg()[0]!, cores: availableParallelism()}
log(`load average ${load.loadAverage1m.toFixed(1)} on ${load.cores} cores${load.loadAverage1m > load.cores ? ': busy, the ratios at this scale include waiting for a core' : ''}`)
// Warm-up: module loading and JIT are local one-off costs that AWS latency does not scale.
await runScenario(join(root, examples[0]!), scale)

const scenarios = []
for (const file of examples) scenarios.push(await medianScenario(file))

log('\n1. up from empty: wall time against the critical path (median of 3 runs)')
log(
  table(
    ['spec', 'resources', 'wall', '≈ on AWS', 'critical path', 'wall / path', `target ≤ ${RATIO_TARGET}`, 'local CPU'],
    scenarios.map((s) => [s.spec, String(s.resources), fmt(s.up.wallMs), real(s.up.wallMs), fmt(s.up.criticalPathMs), s.up.ratio.toFixed(3), mark(s.up.ratio <= RATIO_TARGET), fmt(s.up.cpuMs)]),
  ).join('\n'),
)
for (const s of scenarios) log(`   ${s.spec}: critical chain ${s.up.chain.join(' → ')}`)
// At 1/100 every simulated AWS call is 100 times shorter, while the fixed local cost of each call
// (SDK serialization and retry middleware, JS, timers: ~0.5 ms) is not: it weighs as much as 50 ms of
// AWS latency, against the ~200 ms the model gives a describe. A stack whose ratio misses the target
// is measured once more at ten times the scale, where that cost shrinks back towards its real share;
// both figures are shown.
const remeasured: Record<string, {scale: number; up: number; teardown: number}> = {}
const misses = scenarios.filter((s) => s.up.ratio > RATIO_TARGET || s.teardown.ratio > RATIO_TARGET)
if (misses.length > 0) log(`\n1b. misses at ${scale} measured again at scale ${scale * 10} (one run each)`)
for (const s of misses) {
  const again = await runScenario(join(root, s.spec), scale * 10)
  remeasured[s.spec] = {scale: scale * 10, up: again.up.ratio, teardown: again.teardown.ratio}
  log(
    `   ${s.spec}: up ${s.up.ratio.toFixed(3)} → ${again.up.ratio.toFixed(3)} (${mark(again.up.ratio <= RATIO_TARGET)}), teardown ${s.teardown.ratio.toFixed(3)} → ${again.teardown.ratio.toFixed(3)} (${mark(again.teardown.ratio <= RATIO_TARGET)})`,
  )
}

log('\n2. no-op up: API calls (counted where each SDK client sends, and cross-checked at the fake cloud)')
// The read budget is computed from each spec's nodes (bench/budget.ts): one batched describe per kind,
// plus the reads some APIs make per object by design (each VPC's DNS attributes, each target group's
// attributes and target health, DescribeTags per ELBv2 kind, each alias record's name in the zone, each
// certificate's describe; each repository's tags, lifecycle policy and images, each log group and IAM role,
// each task definition family, services per cluster, each instance's user data), plus the state's load and
// the lock check. Only the lock's put and delete may mutate.
log(
  table(
    ['spec', 'resources', 'kinds', 'read calls', 'read budget', 'non-SSM mutating', 'SSM lock put+delete', 'wall', 'target'],
    scenarios.map((s) => [
      s.spec,
      String(s.resources),
      String(s.kinds),
      String(s.noop.readCalls),
      String(s.noop.readBudget),
      String(s.noop.nonSsmMutatingCalls),
      String(s.noop.mutatingCalls - s.noop.nonSsmMutatingCalls),
      fmt(s.noop.wallMs),
      mark(s.noop.nonSsmMutatingCalls === 0 && s.noop.readCalls <= s.noop.readBudget),
    ]),
  ).join('\n'),
)
for (const s of scenarios) log(`   ${s.spec}: budget ${s.noop.readBudget} = ${s.noop.readBudgetTerms.join('; ')}`)

log('\n3. teardown: wall time against the reverse critical path (median of 3 runs)')
log(
  table(
    ['spec', 'wall', '≈ on AWS', 'critical path', 'wall / path', `target ≤ ${RATIO_TARGET}`, 'local CPU'],
    scenarios.map((s) => [s.spec, fmt(s.teardown.wallMs), real(s.teardown.wallMs), fmt(s.teardown.criticalPathMs), s.teardown.ratio.toFixed(3), mark(s.teardown.ratio <= RATIO_TARGET), fmt(s.teardown.cpuMs)]),
  ).join('\n'),
)

log('\n4. scale: a generated stack of ~200 resources (peak RSS measured in a process of its own)')
const scaleSpec = writeGeneratedSpec()
const scalePlans = await planTimes(scaleSpec, scale)
const ss = await runScenario(scaleSpec, scale)
/** Peak RSS of a spec's lifecycle (plans, up, no-op up, teardown) in a process of its own. */
const peakRssOf = (file: string): number => {
  const output = execFileSync(process.execPath, [join(import.meta.dirname, 'scale-worker.js'), String(scale), file], {cwd: root, encoding: 'utf8'})
  return (JSON.parse(output.trim().split('\n').at(-1)!) as {peakRssMb: number}).peakRssMb
}
const peakRssMb = peakRssOf(scaleSpec)
const examplePeakRssMb = peakRssOf(join(root, examples[0]!))
const scaleFigures = {...scalePlans, peakRssMb, scenario: ss}
log(
  table(
    ['resources', 'kinds', 'plan (offline)', 'plan (deployed)', 'no-op read calls', 'non-SSM mutating', 'up wall / path', 'teardown wall / path', 'peak RSS', 'target'],
    [
      [
        String(scalePlans.resources),
        String(ss.kinds),
        fmt(scalePlans.planOfflineMs),
        fmt(scalePlans.planOnlineMs),
        `${ss.noop.readCalls} (budget ${ss.noop.readBudget})`,
        String(ss.noop.nonSsmMutatingCalls),
        ss.up.ratio.toFixed(3),
        ss.teardown.ratio.toFixed(3),
        `${peakRssMb.toFixed(0)} MB`,
        mark(ss.noop.readCalls <= ss.noop.readBudget && ss.noop.nonSsmMutatingCalls === 0 && peakRssMb < 200),
      ],
    ],
  ).join('\n'),
)
log(`   ${examples[0]} (${scenarios[0]!.resources} resources, its containers' fakes included): peak RSS ${examplePeakRssMb.toFixed(0)} MB (target < 200 MB: ${mark(examplePeakRssMb < 200)})`)

log('\n5. CLI start-up, whole process, median of 10 runs (target < 300 ms)')
const startup = {
  '--version': startupMs(['--version']),
  '--help': startupMs(['--help']),
  'status --help': startupMs(['status', '--help']),
}
log(
  table(
    ['command', 'median', 'target'],
    Object.entries(startup).map(([args, s]) => [`containrlab ${args}`, fmt(s.median), mark(s.median < 300)]),
  ).join('\n'),
)

log('\n6. concurrency sensitivity: up from empty (wall / critical path)')
const concurrencies = [1, 4, 10, 32]
const sensitivity: Record<string, Record<number, {wallMs: number; ratio: number}>> = {}
for (const [label, file] of [
  ['examples/containrlab.yaml', join(root, examples[0]!)],
  [`generated (${scaleFigures.resources} resources)`, scaleSpec],
] as const) {
  sensitivity[label] = {}
  for (const concurrency of concurrencies) {
    const walls: {wallMs: number; ratio: number}[] = []
    for (let i = 0; i < (file === scaleSpec ? 1 : repeats); i++) {
      const cloud = await simulatedCloud(scale, file)
      try {
        const run = await upFromEmpty(cloud, file, scale, concurrency)
        walls.push({wallMs: run.wallMs, ratio: run.ratio})
      } finally {
        cloud.restore()
      }
    }
    const wallMs = median(walls.map((w) => w.wallMs))
    sensitivity[label]![concurrency] = {wallMs, ratio: median(walls.map((w) => w.ratio))}
  }
}
log(
  table(
    ['stack', ...concurrencies.map((c) => `--concurrency ${c}`)],
    Object.entries(sensitivity).map(([label, row]) => [label, ...concurrencies.map((c) => `${fmt(row[c]!.wallMs)} (${row[c]!.ratio.toFixed(2)})`)]),
  ).join('\n'),
)

const results = {
  date: new Date().toISOString(),
  node: process.version,
  scale,
  ...load,
  model: 'bench/model.ts',
  examplePeakRssMb,
  scenarios,
  remeasuredAtTenTimesScale: remeasured,
  scale200: scaleFigures,
  startup: Object.fromEntries(Object.entries(startup).map(([args, s]) => [args, s])),
  concurrency: sensitivity,
}
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
log('\nWrote bench/results.json')
