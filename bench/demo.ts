/**
 * Watch a deployment without an AWS account: `up` then `teardown` of an
 * example against the simulated cloud (bench/model.ts latencies, scaled),
 * with the CLI's own progress output (live task list on a terminal, one line
 * per event otherwise). `node dist-bench/bench/demo.js [spec] [scale]` after
 * `tsc -p tsconfig.bench.json`.
 */
import {teardown} from '../src/app/teardown.js'
import {up} from '../src/app/up.js'
import {formatRunSummary} from '../src/ui/format.js'
import {ProgressView, progressMode} from '../src/ui/progress.js'
import {DEFAULT_POLL_INTERVAL_MS, Session} from '../src/app/session.js'
import {wallClock} from '../src/util/clock.js'
import {simulatedCloud} from './scenario.js'

const file = process.argv[2] ?? 'examples/containrlab.yaml'
const scale = Number(process.argv[3] ?? '0.05')
const cloud = await simulatedCloud(scale, file)
const yes = async () => true
try {
  for (const step of ['up', 'teardown'] as const) {
    const view = new ProgressView(progressMode({json: false}))
    const session = await Session.open({file, concurrency: 10, clock: wallClock, pollIntervalMs: DEFAULT_POLL_INTERVAL_MS * scale, stateSaveIntervalMs: 300 * scale, emit: view.emit})
    const report = step === 'up' ? await up(session, yes) : await teardown(session, {confirm: yes})
    await view.close()
    process.stdout.write(`${formatRunSummary(report)}\n\n`)
  }
} finally {
  cloud.restore()
}
