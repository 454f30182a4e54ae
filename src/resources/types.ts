import type {AwsClients} from '../aws/clients.js'
import type {Clock} from '../util/clock.js'

/** Tag keys every resource the tool creates carries (DESIGN.md, "The reconciler contract"). */
export const TAG_STACK = 'containrlab:stack'
export const TAG_ID = 'containrlab:id'
export const TAG_MANAGED_BY = 'managed-by'
export const MANAGED_BY = 'containrlab'

export interface Tag {
  Key: string
  Value: string
}

/** What a reconciler may use. One per node per run; `progress` is bound to that node. */
export interface ReconcileContext {
  stack: string
  region: string
  aws: AwsClients
  clock: Clock
  signal: AbortSignal
  /** Base interval for polling AWS while waiting for a state (ms). Benchmarks scale it down. */
  pollIntervalMs: number
  /** Upper bound for one wait (ms) before it fails with a timeout. */
  waitTimeoutMs: number
  /** Report what a wait is waiting for ("nat-0ab… pending"); the engine forwards it to the UI. */
  progress(message: string): void
}

/** Every observed resource has its AWS id; the rest is kind-specific. */
export interface Observed {
  id: string
  /** Logical id from the `containrlab:id` tag, when the resource carries one. */
  logicalId?: string
}

/** One field-level difference between desired and observed. */
export interface Change {
  field: string
  before?: unknown
  after?: unknown
  /** true: the field cannot be changed in place; the resource must be replaced. */
  replace: boolean
  /** Value must be masked in any output. */
  sensitive?: boolean
}

export interface CreateMeta {
  logicalId: string
  /** Idempotency token (<= 64 ASCII chars) for APIs with `ClientToken`; stable across retries of one create. */
  token: string
  /** Ownership tags plus `Name`; pass them in `TagSpecifications` at creation. */
  tags: Tag[]
}

export interface Health {
  /** AWS's own word for the state (`available`, `pending`, `active`…). */
  state: string
  /** true when dependents may use it. */
  ready: boolean
  detail?: string
}

/**
 * One AWS resource kind. Reconcilers never print and never decide order;
 * the engine calls exactly one of create / update / delete, or nothing.
 */
export interface Reconciler<D = any, O extends Observed = any> {
  /** `ec2.subnet`, `ec2.nat-gateway`… */
  readonly kind: string
  /**
   * How long AWS typically takes to create / delete one (ms), waits included:
   * a scheduling hint only, so that slow resources (a NAT gateway's ~90 s)
   * start before quick ones when --concurrency makes them queue.
   * Absent: a couple of seconds.
   */
  readonly typicalMs?: {create: number; delete: number}
  /** When a replacement is needed: make the new one first if names allow it, else delete first. */
  readonly replaceStrategy: 'create-before-delete' | 'delete-before-create'
  /** Batched read by AWS ids; ids that no longer exist are absent from the map (never an error). */
  read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, O>>
  /**
   * Everything of this kind tagged `containrlab:stack=<stack>`, each with its
   * `logicalId` from the `containrlab:id` tag: adoption after a crash and
   * orphan clean-up. A list, not a map: two objects may carry one logical id
   * (a replacement cut short), and teardown must delete both. Kinds that
   * carry no tags return an empty list.
   */
  find(ctx: ReconcileContext, stack: string): Promise<O[]>
  /** Pure. Normalised comparison; an empty array means no mutating call. */
  diff(desired: D, observed: O): Change[]
  create(ctx: ReconcileContext, desired: D, meta: CreateMeta): Promise<O>
  update(ctx: ReconcileContext, desired: D, observed: O, changes: Change[]): Promise<O>
  /** Idempotent: a resource already gone counts as deleted. Waits until AWS no longer blocks dependents' deletion. */
  delete(ctx: ReconcileContext, observed: O): Promise<void>
  /** What dependents may reference: always `id`, plus arn, dns names… */
  outputs(observed: O): Record<string, string>
  /** Wait until dependents may use it (NAT gateway `available`…). Absent: ready at once. */
  waitReady?(ctx: ReconcileContext, observed: O): Promise<O>
  /** For `status`. Absent: `{state: 'ok', ready: true}`. */
  health?(observed: O): Health
}
