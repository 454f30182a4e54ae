import {randomUUID} from 'node:crypto'
import type {SSMClient} from '@aws-sdk/client-ssm'
import type {AwsClients} from '../aws/clients.js'
import {hasCode} from '../aws/errors.js'
import {chunkSetId, decodeState, encodeState, HEADER_FORMAT, inspectHeader, type LegacyHeader, parseLegacyHeader, parseSerialHeader, type SerialHeader} from './codec.js'
import {acquireLock, forceUnlock, readLock, ssmSdk} from './lock.js'
import {type LockHandle, type LockInfo, type RawParameter, type RawState, StateConflictError, type StateDocument, StateFormatError, type StateStore, StateVersionError} from './types.js'

/** GetParameters and DeleteParameters take at most 10 names per call; GetParametersByPath returns at most 10 per page. */
const NAMES_PER_CALL = 10
/** A load that races commits (the serial it read lost its chunks meanwhile) lists again this often in all. */
const LOAD_ATTEMPTS = 3

/**
 * The state of one stack in SSM Parameter Store, under `/containrlab/<stack>/`:
 *
 * - `serial/<n>` (n in decimal, not padded; readers sort numerically): the
 *   header of serial n, created once with `Overwrite=false`: the commit point.
 *   It holds the gzip+base64 document when that fits in 4096 characters, else
 *   the chunk count and sha256 (codec.ts). The highest serial is the state.
 * - `chunks/<n>/<first 16 hex of sha256>/<i>`: the chunks of a large
 *   serial, written before its header. Named after their content, so a run
 *   that loses the race for serial n never overwrites the winner's chunks.
 *   Beside `serial/`, not under it: the listing of `serial/` then holds
 *   headers only (it is paged "on a best-effort basis", and names below the
 *   level asked for could cost empty pages), and no name is both a
 *   parameter and the path of others.
 * - `lock`: see lock.ts.
 * - `state`, `state-chunks/<serial>/<i>`: the first release's layout (one
 *   header overwritten on every save). Read when there is no serial header,
 *   and migrated by the next save, which deletes the chunks and leaves in
 *   `state` a marker that makes the first release say "upgrade containrlab"
 *   rather than see a stack without state.
 *
 * ## Compare-and-swap
 *
 * A store remembers the serial it loaded or last committed, its base B, and
 * commits the next save as serial B+1:
 *
 * 1. chunks (if any), PutParameter with Overwrite (names unique to the content);
 * 2. `serial/<B+1>`, PutParameter with Overwrite=false. ParameterAlreadyExists
 *    means another run committed B+1: StateConflictError, unless the header
 *    there is byte-identical to ours (our own earlier attempt, retried by the
 *    SDK after its response was lost), which is our commit;
 * 3. one GetParametersByPath of `serial/` (not recursive): any serial above
 *    B+1 → StateConflictError; B itself gone → the state was deleted
 *    (teardown) → StateConflictError. Either way our header is deleted again;
 * 4. DeleteParameters of the headers below B (and their chunks): the last two
 *    serials are kept.
 *
 * After a conflict the store refuses every later save: the run lost the stack.
 *
 * Why a stale run can never make its document the state unnoticed: the only
 * way its Overwrite=false put of serial s succeeds while another run already
 * committed s is that s was deleted again, and headers are deleted only by
 * step 4 of a run that committed s+2 or more (or by destroy). Deletion is
 * bottom-up and keeps the top two, so from then on some header above s exists
 * at every moment (serial k goes only after k+2 is committed): the stale run's
 * header is never the highest, and its step 3 lists one above it. If instead s
 * was free because nobody had committed it, the stale run simply won s, and
 * whoever commits s next gets ParameterAlreadyExists. Destroy removes every
 * header, which step 3 sees as "B gone".
 *
 * ## Consistency
 *
 * AWS documents no read-after-write guarantee for Parameter Store reads: the
 * CloudFormation guide warns that reading a just-created AWS::SSM::Parameter
 * may fail "due to eventual consistency of the underlying API"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ssm-parameter.html),
 * and GetParametersByPath answers "on a best-effort basis", each page holding
 * "between zero and the value of MaxResults" items
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html).
 * What this relies on is the conditional create itself: PutParameter with
 * Overwrite=false is decided by the service, once, for one name (the lock
 * relies on the same). If listings lag:
 * - a load may miss the newest serial and return an older one; a run that
 *   saves from it gets ParameterAlreadyExists on its first save, or sees
 *   the newer serial in step 3 (a conflict, never a lost update);
 * - step 3 may miss serials committed a moment ago; since they are higher,
 *   the stale header still never becomes the state, and the stale run finds
 *   out at its next save instead of this one;
 * - step 3 may still list a base that a teardown has just deleted: then the
 *   stale run's header outlives the teardown as the stack's state (its
 *   resources are tagged; the next teardown removes both). This one case
 *   needs the listing to be current;
 * - step 4 may miss old headers: they are deleted by a later save or destroy.
 */
/** The stale run may commit between our load and our save a few times; then it is not stale but running hard. */
const FENCE_ATTEMPTS = 3

/** Old serials (headers and chunks) are deleted once this many names are due: one DeleteParameters call. */
export const GC_BATCH = 10

export class SsmStateStore implements StateStore {
  readonly prefix: string
  /** Stamped in every header this store writes (codec.ts, SerialHeader). */
  readonly writer = randomUUID()
  /** Serialises loads, saves and destroy. */
  private chain: Promise<unknown> = Promise.resolve()
  /** What the next commit builds on; undefined until a load (or a save, which looks first). */
  private base: Base | undefined
  /** A header put whose outcome is unknown (the call failed): the next save finds out first. */
  private pending: Pending | undefined
  /** The first release's parameters, deleted after the first verified commit in the new layout. */
  private legacy: {chunkNames: string[]} | undefined
  /** Set once another run took the stack: every later save or destroy throws it. */
  private conflict: StateConflictError | undefined

  /** Old serials are deleted once this many names are due (see GC_BATCH). */
  private readonly gcBatch: number

  constructor(
    private readonly aws: AwsClients,
    readonly stack: string,
    options: {gcBatch?: number} = {},
  ) {
    this.prefix = `/containrlab/${stack}/`
    this.gcBatch = options.gcBatch ?? GC_BATCH
  }

  get serialPath(): string {
    return `${this.prefix}serial`
  }

  get chunksPath(): string {
    return `${this.prefix}chunks`
  }

  headerName(serial: number): string {
    return `${this.serialPath}/${serial}`
  }

  chunkNames(serial: number, header: SerialHeader): string[] {
    if (!('chunks' in header)) return []
    return Array.from({length: header.chunks}, (_, i) => `${this.chunksPath}/${serial}/${chunkSetId(header)}/${i}`)
  }

  get lockName(): string {
    return `${this.prefix}lock`
  }

  /** The first release's header. */
  get legacyHeaderName(): string {
    return `${this.prefix}state`
  }

  legacyChunkNames(header: LegacyHeader): string[] {
    if (!('chunks' in header)) return []
    return Array.from({length: header.chunks}, (_, i) => `${this.prefix}state-chunks/${header.serial}/${i}`)
  }

  /**
   * The highest serial (1 GetParametersByPath, plus 1 GetParameters per 10
   * chunks); without one, the first release's layout (+1 GetParameter).
   */
  load(): Promise<StateDocument | undefined> {
    return this.serialised(async () => {
      const latest = await this.readLatest(await this.aws.ssm())
      this.base = latest?.base ?? NO_STATE
      this.legacy = latest?.legacy
      return latest?.doc
    })
  }

  /**
   * Commits `doc` as the serial after the one this store loaded or last
   * committed. The engine bumps `doc.serial` by one per save, so the two
   * agree; after a save that failed before its commit the engine's serial is
   * one ahead, and the store still commits the next serial (a gap would let a
   * stale run's header be the highest), storing that serial in the document.
   * A document whose serial is not above the last one saved or loaded is an
   * older snapshot: nothing is written.
   */
  save(doc: StateDocument, options: {quick?: boolean} = {}): Promise<void> {
    // Copied now: the caller may keep mutating its document while this save waits its turn.
    const snapshot = structuredClone(doc)
    return this.serialised(() => this.commit(snapshot, options.quick ?? false))
  }

  /** Deletes every state parameter (teardown); the lock is left to its handle, the stack's own parameters stay. */
  destroy(): Promise<void> {
    return this.serialised(() => this.deleteAll())
  }

  lock(info: LockInfo): Promise<LockHandle> {
    return acquireLock(this.aws, this.lockName, info)
  }

  readLock(): Promise<LockInfo | undefined> {
    return readLock(this.aws, this.lockName)
  }

  /**
   * Breaks the lock, then fences the run that held it: one more commit of the
   * stored state (the same document, the next serial), so that if that run is
   * still alive its next save finds a serial it did not write and stops
   * (StateConflictError) instead of carrying on beside whoever runs next.
   */
  async forceUnlock(): Promise<LockInfo | undefined> {
    const removed = await forceUnlock(this.aws, this.lockName)
    if (removed) await this.fenceStaleRun()
    return removed
  }

  private async fenceStaleRun(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // A fresh store each time: this one may just have learnt that the stale run committed first.
      const store = new SsmStateStore(this.aws, this.stack, {gcBatch: this.gcBatch})
      const doc = await store.load()
      if (!doc) return
      try {
        await store.save({...doc, serial: doc.serial + 1})
        return
      } catch (error) {
        if (!(error instanceof StateConflictError) || attempt >= FENCE_ATTEMPTS) throw error
      }
    }
  }

  /**
   * Everything under the prefix as stored (`state show --raw`): one
   * recursive listing, no validation. Each header with its chunk names, its
   * decoded document and what is wrong with it (codec.ts, inspectHeader).
   */
  async readRaw(): Promise<RawState> {
    const ssm = await this.aws.ssm()
    const {GetParametersByPathCommand} = await ssmSdk()
    const stored: Array<{name: string; value: string; version?: number; lastModified?: string}> = []
    let NextToken: string | undefined
    do {
      const page = await ssm.send(new GetParametersByPathCommand({Path: this.prefix.slice(0, -1), Recursive: true, MaxResults: NAMES_PER_CALL, NextToken}))
      for (const p of page.Parameters ?? []) {
        if (p.Name) stored.push({name: p.Name, value: p.Value ?? '', version: p.Version, lastModified: p.LastModifiedDate?.toISOString()})
      }
      NextToken = page.NextToken
    } while (NextToken)
    const values = new Map(stored.map((p) => [p.name, p.value]))
    const parameters: RawParameter[] = stored.map(({name, value, version, lastModified}) => {
      const meta = {name, ...(version !== undefined ? {version} : {}), ...(lastModified ? {lastModified} : {})}
      const serial = this.serialOf(name)
      if (serial !== undefined) {
        const inspected = inspectHeader(
          value,
          (header, i) => `${this.chunksPath}/${serial}/${chunkSetId(header)}/${i}`,
          (chunk) => values.get(chunk),
        )
        return {...meta, role: 'header', value, serial, ...inspected}
      }
      if (name === this.legacyHeaderName) {
        const claimed = safely(() => (JSON.parse(value) as {serial?: unknown}).serial)
        const inspected = inspectHeader(
          value,
          (_, i) => `${this.prefix}state-chunks/${String(claimed)}/${i}`,
          (chunk) => values.get(chunk),
        )
        return {...meta, role: 'legacy-header', value, ...(typeof claimed === 'number' ? {serial: claimed} : {}), ...inspected}
      }
      if (name === this.lockName) return {...meta, role: 'lock', value}
      if (name.startsWith(`${this.chunksPath}/`)) return {...meta, role: 'chunk', length: value.length}
      if (name.startsWith(`${this.prefix}state-chunks/`)) return {...meta, role: 'legacy-chunk', length: value.length}
      return {...meta, role: 'other', value}
    })
    const rank = (p: RawParameter) => (p.role === 'header' ? 0 : p.role === 'legacy-header' ? 1 : p.role === 'lock' ? 2 : 3)
    parameters.sort((a, b) => rank(a) - rank(b) || (b.serial ?? 0) - (a.serial ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    return {prefix: this.prefix, parameters}
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work)
    this.chain = run.catch(() => undefined)
    return run
  }

  // -------------------------------------------------------------------------
  // Save

  private async commit(doc: StateDocument, quick: boolean): Promise<void> {
    if (this.conflict) throw this.conflict
    const ssm = await this.aws.ssm()
    if (!this.base) {
      const latest = await this.readLatest(ssm)
      this.base = latest?.base ?? NO_STATE
      this.legacy = latest?.legacy
    }
    if (this.pending) await this.resolvePending(ssm)
    const base = this.base
    if (doc.serial <= base.docSerial) return
    if (base.lineage !== undefined && doc.lineage !== base.lineage) {
      throw new Error(`refusing to save a state of lineage ${doc.lineage} over stack ${this.stack}'s state of lineage ${base.lineage}`)
    }
    const serial = base.serial + 1
    const encoded = encodeState(doc.serial === serial ? doc : {...doc, serial}, this.writer)
    const name = this.headerName(serial)
    const chunkNames = this.chunkNames(serial, encoded.header)

    const put = await putter(ssm)
    // Sequential on purpose: PutParameter's throughput quota is low and a save happens after every mutation.
    for (const [index, chunk] of encoded.chunks.entries()) await put(chunkNames[index]!, chunk, true)
    this.pending = {serial, name, value: encoded.value, docSerial: doc.serial, lineage: doc.lineage}
    try {
      await put(name, encoded.value, false)
    } catch (error) {
      // Any other failure leaves the outcome unknown: `pending` stays for the next save to settle.
      if (!hasCode(error, 'ParameterAlreadyExists')) throw error
      // The SDK retries a put whose response was lost; its retry then finds our own header.
      const existing = await this.readValue(ssm, name)
      if (existing !== encoded.value) {
        this.pending = undefined
        // Our chunks are garbage, unless the winner's document is ours byte for byte and shares them.
        const theirs = existing === undefined ? undefined : safely(() => parseSerialHeader(existing))
        if (!theirs || !('sha256' in theirs) || !('sha256' in encoded.header) || theirs.sha256 !== encoded.header.sha256) await this.deleteQuietly(ssm, chunkNames)
        throw this.fence(serial)
      }
    }
    this.pending = undefined
    this.base = {serial, docSerial: doc.serial, lineage: doc.lineage, layout: 'serial'}
    // A quick save leaves the listing to the next full one: it lists every header above its own base too.
    if (!quick) await this.verifyAndCollect(ssm, serial, base, [name, ...chunkNames])
  }

  /** Steps 3 and 4 (class comment): fencing against later serials or a deleted state, then garbage collection. */
  private async verifyAndCollect(ssm: SSMClient, serial: number, previous: Base, ours: string[]): Promise<void> {
    const headers = await this.listHeaders(ssm)
    const newest = headers.at(-1)
    const baseDeleted = previous.layout === 'serial' && !headers.some((header) => header.serial === previous.serial)
    if ((newest && newest.serial > serial) || baseDeleted) {
      // Our header is not the state (a higher one is), or must not become it (the state was deleted).
      await this.deleteQuietly(ssm, ours)
      throw newest && newest.serial > serial ? this.fence(newest.serial) : this.fence(previous.serial, 'deleted')
    }
    const garbage = headers.filter((header) => header.serial < serial - 1).flatMap((header) => [header.name, ...this.chunkNamesOf(header)])
    if (this.legacy) {
      // Migrated: the first release's chunks go, its header becomes the "moved" marker.
      const put = await putter(ssm)
      const marker = {v: HEADER_FORMAT, moved: `${this.serialPath}/`}
      const legacy = this.legacy
      this.legacy = undefined
      await Promise.all([put(this.legacyHeaderName, JSON.stringify(marker), true).catch(() => (this.legacy = legacy)), this.deleteQuietly(ssm, legacy.chunkNames)])
    }
    // Collected ten names at a time (DeleteParameters' batch): one call per several saves rather than one
    // per save, off the path of most saves. Keeping more than the last two serials is only safer.
    if (garbage.length >= this.gcBatch) await this.deleteQuietly(ssm, garbage)
  }

  /**
   * The previous save's header put failed without an answer. Its header may
   * be stored: if so (ours, byte for byte) it is our base; if another value
   * is there, another run committed that serial.
   */
  private async resolvePending(ssm: SSMClient): Promise<void> {
    const pending = this.pending!
    if (this.base && pending.serial <= this.base.serial) {
      // A load since then saw that serial or a later one: what it read is the base.
      this.pending = undefined
      return
    }
    const value = await this.readValue(ssm, pending.name)
    this.pending = undefined
    if (value === undefined) return
    if (value !== pending.value) throw this.fence(pending.serial)
    this.base = {serial: pending.serial, docSerial: pending.docSerial, lineage: pending.lineage, layout: 'serial'}
  }

  private fence(serial: number, how: 'committed' | 'deleted' = 'committed'): StateConflictError {
    this.conflict = new StateConflictError(this.stack, serial, how)
    return this.conflict
  }

  // -------------------------------------------------------------------------
  // Load

  private async readLatest(ssm: SSMClient): Promise<Latest | undefined> {
    let failed: string | undefined
    for (let attempt = 1; ; attempt++) {
      const headers = await this.listHeaders(ssm)
      const newest = headers.at(-1)
      let where: Where
      try {
        if (newest) {
          where = {name: newest.name, serial: newest.serial, layout: 'serial', fallback: headers.at(-2)?.serial === newest.serial - 1 ? newest.serial - 1 : undefined}
          return await this.readSerial(ssm, newest)
        }
        where = {name: this.legacyHeaderName, layout: 'legacy'}
        const legacy = await this.readLegacy(ssm, where)
        if (legacy !== 'moved') return legacy
        // The state moved to serial headers after our listing: list again (or it was deleted since).
        if (attempt >= LOAD_ATTEMPTS) return undefined
        continue
      } catch (error) {
        if (!(error instanceof StateFormatError) || error instanceof StateVersionError) throw error
        // Missing chunks are what a reader sees when commits race it (`status` during
        // someone's `up`): list again, unless the state has not moved. Chunks that are
        // there but do not match never come from a race (their names are their content).
        const key = `${where!.name}@${where!.serial ?? ''}`
        if (!(error instanceof ChunksUnreadable) || attempt >= LOAD_ATTEMPTS || key === failed) throw unreadable(this.stack, where!, error)
        failed = key
      }
    }
  }

  private async readSerial(ssm: SSMClient, listed: ListedHeader): Promise<Latest> {
    const header = parseSerialHeader(listed.value)
    if (header.serial !== listed.serial) throw new StateFormatError(`the header says serial ${header.serial} but its name says ${listed.serial}`)
    const chunks = await this.readChunks(ssm, this.chunkNames(listed.serial, header))
    const doc = this.checkStack(decodeState(header, chunks))
    return {doc, base: {serial: doc.serial, docSerial: doc.serial, lineage: doc.lineage, layout: 'serial'}}
  }

  private async readLegacy(ssm: SSMClient, where: Where): Promise<Latest | 'moved' | undefined> {
    const value = await this.readValue(ssm, this.legacyHeaderName)
    if (value === undefined) return undefined
    const header = parseLegacyHeader(value)
    if (!('serial' in header)) return 'moved'
    where.serial = header.serial
    const chunkNames = this.legacyChunkNames(header)
    const doc = this.checkStack(decodeState(header, await this.readChunks(ssm, chunkNames)))
    return {doc, base: {serial: doc.serial, docSerial: doc.serial, lineage: doc.lineage, layout: 'legacy'}, legacy: {chunkNames}}
  }

  private checkStack(doc: StateDocument): StateDocument {
    if (doc.stack !== this.stack) throw new StateFormatError(`the state under ${this.prefix} belongs to stack ${doc.stack}`)
    return doc
  }

  private async readChunks(ssm: SSMClient, names: string[]): Promise<string[]> {
    const {GetParametersCommand} = await ssmSdk()
    const values = new Map<string, string>()
    const missing: string[] = []
    await Promise.all(
      batches(names).map(async (batch) => {
        const result = await ssm.send(new GetParametersCommand({Names: batch}))
        missing.push(...(result.InvalidParameters ?? []))
        for (const parameter of result.Parameters ?? []) if (parameter.Name) values.set(parameter.Name, parameter.Value ?? '')
      }),
    )
    for (const name of names) if (!values.has(name) && !missing.includes(name)) missing.push(name)
    if (missing.length > 0) throw new ChunksUnreadable(`missing chunks ${missing.sort().join(', ')}`)
    return names.map((name) => values.get(name)!)
  }

  // -------------------------------------------------------------------------
  // Destroy

  /**
   * Three listings in parallel (serial headers, chunks, the first release's
   * chunks), then DeleteParameters by 10: the first release's header first,
   * serial headers lowest first, chunks last, so that a crash half-way never
   * leaves an older serial as the state or a header without its chunks.
   */
  private async deleteAll(): Promise<void> {
    if (this.conflict) throw this.conflict
    const ssm = await this.aws.ssm()
    if (this.pending) await this.resolvePending(ssm)
    const [headers, chunks, legacyChunks] = await Promise.all([this.listHeaders(ssm), this.listNames(ssm, this.chunksPath, true), this.listNames(ssm, `${this.prefix}state-chunks`, true)])
    // A run that lost the stack must not delete the state of the run that took it.
    const newest = headers.at(-1)
    if (this.base && newest && (this.base.layout !== 'serial' || newest.serial > this.base.serial)) throw this.fence(newest.serial)
    await this.deleteNames(ssm, [this.legacyHeaderName, ...headers.map((header) => header.name), ...chunks, ...legacyChunks])
    this.base = NO_STATE
    this.legacy = undefined
  }

  // -------------------------------------------------------------------------
  // SSM calls

  /** Every serial header, lowest serial first; other names under `serial/` are ignored. */
  private async listHeaders(ssm: SSMClient): Promise<ListedHeader[]> {
    const headers: ListedHeader[] = []
    for (const parameter of await this.listParameters(ssm, this.serialPath, false)) {
      const serial = this.serialOf(parameter.name)
      if (serial !== undefined) headers.push({...parameter, serial})
    }
    return headers.sort((a, b) => a.serial - b.serial)
  }

  private serialOf(name: string): number | undefined {
    const match = name.startsWith(`${this.serialPath}/`) ? /^(0|[1-9]\d*)$/.exec(name.slice(this.serialPath.length + 1)) : null
    const serial = match ? Number(match[1]) : undefined
    return serial !== undefined && Number.isSafeInteger(serial) ? serial : undefined
  }

  /** A garbage header's chunks, when its value can still be read. */
  private chunkNamesOf(listed: ListedHeader): string[] {
    const header = safely(() => parseSerialHeader(listed.value))
    return header ? this.chunkNames(listed.serial, header) : []
  }

  private async listParameters(ssm: SSMClient, path: string, recursive: boolean): Promise<Array<{name: string; value: string}>> {
    const {GetParametersByPathCommand} = await ssmSdk()
    const found: Array<{name: string; value: string}> = []
    let NextToken: string | undefined
    do {
      // A page may hold fewer than MaxResults, even none, and still have a NextToken.
      const page = await ssm.send(new GetParametersByPathCommand({Path: path, Recursive: recursive, MaxResults: NAMES_PER_CALL, NextToken}))
      for (const parameter of page.Parameters ?? []) if (parameter.Name) found.push({name: parameter.Name, value: parameter.Value ?? ''})
      NextToken = page.NextToken
    } while (NextToken)
    return found
  }

  private async listNames(ssm: SSMClient, path: string, recursive: boolean): Promise<string[]> {
    return (await this.listParameters(ssm, path, recursive)).map((parameter) => parameter.name)
  }

  /** A parameter's value, undefined when it does not exist. */
  private async readValue(ssm: SSMClient, name: string): Promise<string | undefined> {
    const {GetParameterCommand} = await ssmSdk()
    try {
      return (await ssm.send(new GetParameterCommand({Name: name}))).Parameter?.Value ?? ''
    } catch (error) {
      if (hasCode(error, 'ParameterNotFound')) return undefined
      throw error
    }
  }

  private async deleteNames(ssm: SSMClient, names: string[]): Promise<void> {
    const {DeleteParametersCommand} = await ssmSdk()
    // Sequential, in order (destroy relies on it). Names already gone come back in InvalidParameters: fine here.
    for (const batch of batches(names)) await ssm.send(new DeleteParametersCommand({Names: batch}))
  }

  /** Garbage: failing to delete it costs clutter only (a later save or destroy finds it). */
  private async deleteQuietly(ssm: SSMClient, names: string[]): Promise<void> {
    if (names.length === 0) return
    try {
      await this.deleteNames(ssm, names)
    } catch {
      // harmless, see above
    }
  }
}

/** What a commit builds on: the serial this store loaded or committed, and the document serial behind it. */
interface Base {
  serial: number
  /** The `serial` of the last document loaded or saved (the engine's count, one ahead of `serial` after a failed save). */
  docSerial: number
  lineage?: string
  /** Where `serial` lives: `none` (no state), `serial` headers, or the first release's `legacy` header. */
  layout: 'none' | 'serial' | 'legacy'
}

const NO_STATE: Base = {serial: 0, docSerial: 0, layout: 'none'}

interface Pending {
  serial: number
  name: string
  value: string
  docSerial: number
  lineage: string
}

interface Latest {
  doc: StateDocument
  base: Base
  legacy?: {chunkNames: string[]}
}

interface ListedHeader {
  name: string
  serial: number
  value: string
}

/** Where a document was read from, for error messages. */
interface Where {
  name: string
  layout: 'serial' | 'legacy'
  serial?: number
  /** The serial below, when its header exists. */
  fallback?: number
}

async function putter(ssm: SSMClient): Promise<(name: string, value: string, overwrite: boolean) => Promise<unknown>> {
  const {PutParameterCommand} = await ssmSdk()
  return (Name, Value, Overwrite) => ssm.send(new PutParameterCommand({Name, Value, Type: 'String', Tier: 'Standard', Overwrite}))
}

function batches(names: string[]): string[][] {
  const out: string[][] = []
  for (let start = 0; start < names.length; start += NAMES_PER_CALL) out.push(names.slice(start, start + NAMES_PER_CALL))
  return out
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

/** Chunks that cannot be read or do not add up: a racing commit, or damage if it persists. */
class ChunksUnreadable extends StateFormatError {
  constructor(message: string) {
    super(message)
    this.name = 'ChunksUnreadable'
  }
}

/** The way out of a state that cannot be read, for the layout it was read from. */
function unreadable(stack: string, where: Where, cause: StateFormatError): StateFormatError {
  const serial = where.serial === undefined ? '' : ` (serial ${where.serial})`
  const head = `the state of stack ${stack} cannot be read from ${where.name}${serial}: ${cause.message}\nNothing was changed; \`containrlab state show --raw --stack ${stack}\` prints what is stored. Ways out:`
  const putBack = `put a good one back with \`aws ssm put-parameter --name ${where.name} --type String --overwrite --value file://good-value.json\``
  if (where.layout === 'legacy') {
    // The first release overwrote this one parameter on every save: its history holds the earlier states.
    return new StateFormatError(
      [
        head,
        `  - this parameter keeps its earlier versions in its history: \`aws ssm get-parameter-history --name ${where.name}\`; ${putBack}`,
        '    (a version holding "data" stands alone; one holding "chunks" also needs the state-chunks/<serial>/ parameters it names, which are kept for the latest serial only)',
      ].join('\n'),
    )
  }
  const history = `  - if the parameter was edited by hand, its earlier versions are in its history: \`aws ssm get-parameter-history --name ${where.name}\`; ${putBack}`
  const previous =
    where.fallback === undefined
      ? `  - otherwise delete it: \`aws ssm delete-parameter --name ${where.name}\`; no earlier serial is kept, so the stack then has no state, and \`containrlab up\` adopts what exists by its tags`
      : `  - otherwise delete it, and serial ${where.fallback} (kept for this) is the state again: \`aws ssm delete-parameter --name ${where.name}\`; \`containrlab state show\` then shows it, and \`containrlab up\` reconciles what changed since by the tags`
  return new StateFormatError([head, history, previous].join('\n'))
}
