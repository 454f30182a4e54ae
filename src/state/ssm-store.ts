import type {SSMClient} from '@aws-sdk/client-ssm'
import type {AwsClients} from '../aws/clients.js'
import {hasCode} from '../aws/errors.js'
import {decodeState, encodeState, parseHeader, type StateHeader} from './codec.js'
import {acquireLock, deleteIgnoringNotFound, forceUnlock, readLock, ssmSdk} from './lock.js'
import {StateFormatError, type LockHandle, type LockInfo, type StateDocument, type StateStore} from './types.js'

/** GetParameters and DeleteParameters take at most 10 names per call. */
const NAMES_PER_CALL = 10
/** A load that races a save (chunks replaced between header and chunk reads) tries again this often. */
const LOAD_ATTEMPTS = 3

/**
 * The state of one stack in SSM Parameter Store, under `/containrlab/<stack>/`:
 *
 * - `state`: the header, the commit point. It holds the whole gzip+base64
 *   document when that fits in 4096 characters, else the serial, chunk count
 *   and sha256 of the chunks.
 * - `state-chunks/<serial>/<i>`: the chunks of that serial's document,
 *   written before the header that points to them. A crash before the header
 *   write leaves the previous header and its chunks intact; the previous
 *   serial's chunks are deleted only after the new header is stored.
 * - `lock`: see lock.ts.
 */
export class SsmStateStore implements StateStore {
  readonly prefix: string
  /** Serialises writes; each save waits for the previous one to settle. */
  private chain: Promise<void> = Promise.resolve()
  /** The last serial committed (loaded or saved), undefined until known. */
  private committedSerial: number | undefined
  /** How many chunks that serial has (0 when inline). */
  private committedChunks = 0
  private committedKnown = false

  constructor(
    private readonly aws: AwsClients,
    readonly stack: string,
  ) {
    this.prefix = `/containrlab/${stack}/`
  }

  get headerName(): string {
    return `${this.prefix}state`
  }

  get lockName(): string {
    return `${this.prefix}lock`
  }

  chunkName(serial: number, index: number): string {
    return `${this.prefix}state-chunks/${serial}/${index}`
  }

  async load(): Promise<StateDocument | undefined> {
    const ssm = await this.aws.ssm()
    let header = await this.readHeader(ssm)
    for (let attempt = 1; ; attempt++) {
      if (!header) {
        this.remember(undefined)
        return undefined
      }
      try {
        const chunks = 'data' in header ? [] : await this.readChunks(ssm, header.serial, header.chunks)
        const doc = decodeState(header, chunks)
        if (doc.stack !== this.stack) throw new StateFormatError(`the state under ${this.prefix} belongs to stack ${doc.stack}`)
        this.remember(header)
        return doc
      } catch (error) {
        // Missing or mismatched chunks are what a reader sees when a save
        // commits a new serial between its header and chunk reads (e.g.
        // `status` during someone's `up`): if the header moved on, read again.
        if (!(error instanceof StateFormatError) || 'data' in header || attempt >= LOAD_ATTEMPTS) throw error
        const latest = await this.readHeader(ssm)
        if (latest?.serial === header.serial) throw error
        header = latest
      }
    }
  }

  save(doc: StateDocument): Promise<void> {
    // Encode now: the caller may keep mutating its document while this save waits its turn.
    const encoded = encodeState(doc)
    const run = this.chain.then(() => this.write(doc.serial, encoded.header, encoded.chunks))
    this.chain = run.catch(() => undefined)
    return run
  }

  destroy(): Promise<void> {
    const run = this.chain.then(() => this.deleteAll())
    this.chain = run.catch(() => undefined)
    return run
  }

  lock(info: LockInfo): Promise<LockHandle> {
    return acquireLock(this.aws, this.lockName, info)
  }

  readLock(): Promise<LockInfo | undefined> {
    return readLock(this.aws, this.lockName)
  }

  forceUnlock(): Promise<LockInfo | undefined> {
    return forceUnlock(this.aws, this.lockName)
  }

  private async write(serial: number, header: StateHeader, chunks: string[]): Promise<void> {
    const ssm = await this.aws.ssm()
    const {PutParameterCommand} = await ssmSdk()
    if (!this.committedKnown) this.remember(await this.readHeader(ssm))
    const previous = this.committedSerial
    // Saves may arrive out of order (concurrent callers): never go back.
    if (previous !== undefined && serial < previous) return
    if (previous !== undefined && serial === previous) {
      // Rewriting a committed serial's chunks in place would break the
      // document the current header points to if we crashed half-way.
      if (chunks.length > 0 || this.committedChunks > 0) throw new Error(`state serial ${serial} is already saved; the serial must increase on every save`)
    }
    const put = (Name: string, Value: string) => ssm.send(new PutParameterCommand({Name, Value, Type: 'String', Tier: 'Standard', Overwrite: true}))
    // Sequential on purpose: PutParameter's throughput quota is low and a
    // save happens after every mutation.
    for (const [index, chunk] of chunks.entries()) await put(this.chunkName(serial, index), chunk)
    await put(this.headerName, JSON.stringify(header))
    const stale = previous !== undefined && previous !== serial ? Array.from({length: this.committedChunks}, (_, i) => this.chunkName(previous, i)) : []
    this.remember(header)
    await this.deleteQuietly(ssm, stale)
  }

  private async deleteAll(): Promise<void> {
    const ssm = await this.aws.ssm()
    // The header first: once it is gone the state is gone, whatever chunks a crash leaves behind.
    // (Listing the chunks meanwhile saves a round trip; they are deleted only after the header.)
    const [, chunkNames] = await Promise.all([deleteIgnoringNotFound(ssm, this.headerName), this.listNames(ssm, `${this.prefix}state-chunks`)])
    this.remember(undefined)
    if (chunkNames.length > 0) await this.deleteNames(ssm, chunkNames)
  }

  private remember(header: StateHeader | undefined): void {
    this.committedKnown = true
    this.committedSerial = header?.serial
    this.committedChunks = header && 'chunks' in header ? header.chunks : 0
  }

  private async readHeader(ssm: SSMClient): Promise<StateHeader | undefined> {
    const {GetParameterCommand} = await ssmSdk()
    try {
      const value = (await ssm.send(new GetParameterCommand({Name: this.headerName}))).Parameter?.Value
      return parseHeader(value ?? '')
    } catch (error) {
      if (hasCode(error, 'ParameterNotFound')) return undefined
      throw error
    }
  }

  private async readChunks(ssm: SSMClient, serial: number, count: number): Promise<string[]> {
    const {GetParametersCommand} = await ssmSdk()
    const names = Array.from({length: count}, (_, i) => this.chunkName(serial, i))
    const values = new Map<string, string>()
    for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
      const batch = names.slice(start, start + NAMES_PER_CALL)
      const result = await ssm.send(new GetParametersCommand({Names: batch}))
      if (result.InvalidParameters?.length) throw new MissingChunksError(serial, result.InvalidParameters)
      for (const parameter of result.Parameters ?? []) values.set(parameter.Name!, parameter.Value ?? '')
    }
    return names.map((name) => {
      const value = values.get(name)
      if (value === undefined) throw new MissingChunksError(serial, [name])
      return value
    })
  }

  private async listNames(ssm: SSMClient, path: string): Promise<string[]> {
    const {GetParametersByPathCommand} = await ssmSdk()
    const names: string[] = []
    let NextToken: string | undefined
    do {
      const page = await ssm.send(new GetParametersByPathCommand({Path: path, Recursive: true, MaxResults: NAMES_PER_CALL, NextToken}))
      for (const parameter of page.Parameters ?? []) if (parameter.Name) names.push(parameter.Name)
      NextToken = page.NextToken
    } while (NextToken)
    return names
  }

  private async deleteNames(ssm: SSMClient, names: string[]): Promise<void> {
    const {DeleteParametersCommand} = await ssmSdk()
    for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
      // Names already gone come back in InvalidParameters, which is fine here.
      await ssm.send(new DeleteParametersCommand({Names: names.slice(start, start + NAMES_PER_CALL)}))
    }
  }

  /** Old chunks are garbage once the new header is stored: failing to delete them costs nothing but clutter, and destroy() finds them by path. */
  private async deleteQuietly(ssm: SSMClient, names: string[]): Promise<void> {
    try {
      await this.deleteNames(ssm, names)
    } catch {
      // harmless, see above
    }
  }
}

class MissingChunksError extends StateFormatError {
  constructor(serial: number, names: string[]) {
    super(`state serial ${serial} is missing chunks ${names.join(', ')}`)
    this.name = 'MissingChunksError'
  }
}
