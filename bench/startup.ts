import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {projectRoot} from './paths.js'

const root = projectRoot()

/** Median wall time of `node bin/run.js <args>` as a whole process, after one warm-up run. */
export function startupMs(args: string[], runs = 10): {median: number; runs: number[]} {
  const once = () => {
    const started = performance.now()
    const result = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {cwd: root, encoding: 'utf8', env: {...process.env, NODE_OPTIONS: ''}})
    const elapsed = performance.now() - started
    if (result.status !== 0) throw new Error(`containrlab ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
    return elapsed
  }
  once()
  const times = Array.from({length: runs}, once)
  return {median: median(times), runs: times}
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
