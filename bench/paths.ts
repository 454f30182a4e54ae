import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

/** The project root, whether this runs from bench/ or compiled into dist-bench/bench/. */
export function projectRoot(from = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'containrlab') return dir
    if (dirname(dir) === dir) throw new Error(`no containrlab package.json above ${from}`)
  }
}
