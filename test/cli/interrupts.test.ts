import {afterEach, describe, expect, it} from 'vitest'
import {EXIT_INTERRUPTED, Interrupts} from '../../src/cli/interrupts.js'

describe('Ctrl-C during a run', () => {
  let interrupts: Interrupts | undefined
  afterEach(() => interrupts?.uninstall())

  it('the first signal stops the run with exit code 130; the second quits at once', () => {
    const abort = new AbortController()
    const exits: number[] = []
    const codes: number[] = []
    interrupts = new Interrupts(abort, {exit: (code) => exits.push(code), setExitCode: (code) => codes.push(code), warn: () => {}})
    interrupts.install()
    process.emit('SIGINT', 'SIGINT')
    expect(abort.signal.aborted).toBe(true)
    expect(codes).toEqual([EXIT_INTERRUPTED])
    expect(exits).toEqual([])
    process.emit('SIGINT', 'SIGINT')
    expect(exits).toEqual([EXIT_INTERRUPTED])
  })

  it('SIGTERM counts the same way, and nothing is listened to once uninstalled', () => {
    const abort = new AbortController()
    const before = process.listenerCount('SIGTERM')
    interrupts = new Interrupts(abort, {exit: () => {}, setExitCode: () => {}, warn: () => {}})
    interrupts.install()
    expect(process.listenerCount('SIGTERM')).toBe(before + 1)
    process.emit('SIGTERM', 'SIGTERM')
    expect(abort.signal.aborted).toBe(true)
    interrupts.uninstall()
    expect(process.listenerCount('SIGTERM')).toBe(before)
  })
})
