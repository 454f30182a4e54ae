import {randomUUID} from 'node:crypto'
import {hostname, userInfo} from 'node:os'
import type {SSMClient} from '@aws-sdk/client-ssm'
import type {AwsClients} from '../aws/clients.js'
import {hasCode} from '../aws/errors.js'
import {LockHeldError, type LockHandle, type LockInfo} from './types.js'

export {describeLock, LockHeldError} from './types.js'

/**
 * The state lock: one SSM parameter created with `Overwrite=false`, so
 * exactly one PutParameter wins and the others get `ParameterAlreadyExists`.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 *
 * The SDK is imported on first use, like the clients in src/aws/clients.ts:
 * `up` imports this module for currentLockInfo long before any AWS call.
 */

let ssmPackage: Promise<typeof import('@aws-sdk/client-ssm')> | undefined

/** The SSM client package, loaded once on first use (every dynamic import goes through the module loader again). */
export const ssmSdk = () => (ssmPackage ??= import('@aws-sdk/client-ssm'))

/** Who is running what, for the lock and for LockHeldError messages. */
export function currentLockInfo(command: string): LockInfo {
  return {id: randomUUID(), who: currentUser(), host: hostname(), pid: process.pid, command, since: new Date().toISOString()}
}

function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    // os.userInfo throws when the uid has no passwd entry (some containers).
    return process.env.USER ?? process.env.USERNAME ?? 'unknown'
  }
}

/** Takes the lock or throws LockHeldError naming its holder. */
export async function acquireLock(aws: AwsClients, name: string, info: LockInfo): Promise<LockHandle> {
  const ssm = await aws.ssm()
  const {PutParameterCommand} = await ssmSdk()
  // Two attempts: the holder may release between our failed put and our read.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await ssm.send(new PutParameterCommand({Name: name, Value: JSON.stringify(info), Type: 'String', Tier: 'Standard', Overwrite: false}))
      return new SsmLockHandle(ssm, name, info.id)
    } catch (error) {
      if (!hasCode(error, 'ParameterAlreadyExists')) throw error
    }
    const holder = await readLockParameter(ssm, name)
    if (holder) throw new LockHeldError(holder)
  }
  throw new Error(`could not take the state lock ${name}: it was taken and released twice while we tried; run the command again`)
}

export async function readLock(aws: AwsClients, name: string): Promise<LockInfo | undefined> {
  return readLockParameter(await aws.ssm(), name)
}

/** Deletes the lock whoever holds it (`state unlock --force`); returns what was removed. */
export async function forceUnlock(aws: AwsClients, name: string): Promise<LockInfo | undefined> {
  const ssm = await aws.ssm()
  const holder = await readLockParameter(ssm, name)
  if (!holder) return undefined
  await deleteIgnoringNotFound(ssm, name)
  return holder
}

class SsmLockHandle implements LockHandle {
  private releasing: Promise<void> | undefined

  constructor(
    private readonly ssm: SSMClient,
    private readonly name: string,
    private readonly id: string,
  ) {}

  /** Idempotent: once released, later calls make no AWS call; a failed release may be retried. */
  release(): Promise<void> {
    this.releasing ??= this.doRelease().catch((error: unknown) => {
      this.releasing = undefined
      throw error
    })
    return this.releasing
  }

  private async doRelease(): Promise<void> {
    // After `unlock --force` someone else may hold the lock now: deleting it
    // would let a third run in beside them. SSM has no conditional delete, so
    // this check narrows the window rather than closing it.
    const holder = await readLockParameter(this.ssm, this.name)
    if (!holder || holder.id !== this.id) return
    await deleteIgnoringNotFound(this.ssm, this.name)
  }
}

async function readLockParameter(ssm: SSMClient, name: string): Promise<LockInfo | undefined> {
  const {GetParameterCommand} = await ssmSdk()
  let value: string | undefined
  try {
    value = (await ssm.send(new GetParameterCommand({Name: name}))).Parameter?.Value
  } catch (error) {
    if (hasCode(error, 'ParameterNotFound')) return undefined
    throw error
  }
  return parseLockInfo(value ?? '')
}

/** A lock written by hand or by a future version still names what it can. */
export function parseLockInfo(value: string): LockInfo {
  let parsed: Partial<Record<keyof LockInfo, unknown>> = {}
  try {
    const candidate: unknown = JSON.parse(value)
    if (typeof candidate === 'object' && candidate !== null) parsed = candidate as typeof parsed
  } catch {
    // not JSON: report it as an unknown holder
  }
  const text = (field: unknown) => (typeof field === 'string' && field !== '' ? field : 'unknown')
  return {
    id: text(parsed.id),
    who: text(parsed.who),
    host: text(parsed.host),
    pid: typeof parsed.pid === 'number' ? parsed.pid : 0,
    command: text(parsed.command),
    since: text(parsed.since),
  }
}

export async function deleteIgnoringNotFound(ssm: SSMClient, name: string): Promise<void> {
  const {DeleteParameterCommand} = await ssmSdk()
  try {
    await ssm.send(new DeleteParameterCommand({Name: name}))
  } catch (error) {
    if (!hasCode(error, 'ParameterNotFound')) throw error
  }
}
