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
  /**
   * The stack from the `containrlab:stack` tag, when the resource carries
   * tags. The engine never adopts, changes or deletes an object whose tag
   * names another stack, whatever a server-side filter returned.
   */
  stack?: string
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
  /**
   * Idempotency token (32 hex chars) for APIs with `ClientToken`: the same
   * for every attempt at creating one object (retries, a re-run after a
   * crash), never the same for two objects.
   */
  token: string
  /** Ownership tags plus `Name`; pass them in `TagSpecifications` at creation. */
  tags: Tag[]
  /**
   * An earlier run stopped while creating this very object (same token): it
   * may exist already, possibly not yet visible to describes. A kind whose
   * create replays its token should then trust the replay over pre-checks
   * that describes could still contradict.
   */
  resuming?: boolean
}

/** What `find` may use to look objects up. */
export interface FindQuery {
  stack: string
  /**
   * The logical ids of this kind the run knows about (from the spec and the
   * state), each with its desired properties when the spec has it (refs to
   * other resources may still be unresolved). Kinds that AWS cannot filter by
   * tag (IAM roles, RDS instances, target groups, log groups…) look these up
   * by their deterministic names and check ownership by tags.
   */
  wanted: {logicalId: string; desired?: unknown}[]
}

export interface Health {
  /** AWS's own word for the state (`available`, `pending`, `active`…). */
  state: string
  /** true when dependents may use it. */
  ready: boolean
  detail?: string
  /**
   * Set when the object is there and usable but does not do its job as the
   * spec wants: a target group with unhealthy targets, a service running
   * fewer tasks than desired or whose last deployment failed. Says what is
   * wrong; `status` shows the object `degraded`.
   */
  degraded?: string
}

/**
 * What `status` shows of an object beyond its health, from reads that
 * `plan` and `up` do not need (a service's stopped tasks, a cluster's
 * container instances): the same facts twice, as fields for `--json` and
 * as lines for a person.
 */
export interface StatusDetails {
  /** Structured, for `--json`: counts, revisions, reasons. */
  fields: Record<string, unknown>
  /** One fact a line ("revision containrlab-api:3, deployment COMPLETED"). */
  lines: string[]
  /** As `Health.degraded`, when only these reads tell (an ECS agent disconnected). */
  degraded?: string
}

/**
 * How the engine should treat an AWS error of this kind:
 * - `not-found`: the object (or one the call references) does not exist.
 *   On read and delete that means gone; right after a dependency was
 *   created it may mean "not visible yet" and the call is retried briefly.
 * - `not-yet-visible`: something the call needs was just made and AWS does
 *   not see it yet (ECS refusing an IAM role for seconds): retried.
 * - `in-use`: a delete is blocked by something that still uses the object
 *   (DependencyViolation): retried while dependents go away, up to a bound.
 * - `retryable`: a transient state worth retrying anywhere.
 * Throttling is not classified here: the SDK's retry policy (src/aws) owns it.
 */
export type ErrorClass = 'not-found' | 'not-yet-visible' | 'in-use' | 'retryable'

/**
 * What an `in-use` error may carry: a kind that can tell who holds the object
 * (the network interfaces still in a subnet: "ELB app/containrlab-alb/… (2 in
 * use)") sets it, and the engine says that instead of guessing while it waits
 * and when it gives up.
 */
export interface InUseBy {
  inUseBy?: string
}

/** Who holds an object, from an `in-use` error that says so. */
export function inUseBy(error: unknown): string | undefined {
  const holder = (error as InUseBy | undefined)?.inUseBy
  return typeof holder === 'string' && holder !== '' ? holder : undefined
}

/** What deleting an object would lose, and what teardown does instead unless `--purge`. */
export interface DataLoss {
  /** "holds 12 images", "a PostgreSQL database": shown in plan and teardown. */
  what: string
  /**
   * keep: left in place (and reported) unless --purge;
   * snapshot: `delete` keeps the data itself (a final snapshot) unless `purge` is set.
   */
  unlessPurge: 'keep' | 'snapshot'
}

export interface DeleteOptions {
  /** Delete data too (teardown --purge): no final snapshot. */
  purge: boolean
}

/**
 * One AWS resource kind. Reconcilers never print and never decide order;
 * the engine calls exactly one of create / update / delete, or nothing.
 */
// `any` defaults: the registry and the engine hold reconcilers of every kind side by side; kinds are typed through KindTypes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
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
  /**
   * When a replacement is needed: make the new one first if names allow it,
   * else delete first (and then everything that depends on the object is
   * replaced with it, in order).
   */
  readonly replaceStrategy: 'create-before-delete' | 'delete-before-create'
  /**
   * Outputs an in-place update gives new values (a task definition's update
   * registers a revision: a new `arn`). The plan knows them only once the
   * update is made, so what refers to them is planned as changing too.
   */
  readonly renewedOnUpdate?: readonly string[]
  /**
   * true when `create` passes `meta.token` as the API's idempotency token:
   * a re-run after a crash replays the token instead of waiting for lagging
   * describes to show what the crashed run made.
   */
  readonly idempotentCreate?: boolean
  /** Fields of the desired properties whose values never reach output, logs, tokens or state. */
  readonly sensitiveFields?: readonly string[]
  /** Batched read by AWS ids; ids that no longer exist are absent from the map (never an error). */
  read(ctx: ReconcileContext, ids: string[]): Promise<Map<string, O>>
  /**
   * Everything of this kind that belongs to the stack, each with its
   * `logicalId` (from the `containrlab:id` tag or its name) and `stack`:
   * adoption after a crash and orphan clean-up. A list, not a map: two
   * objects may carry one logical id (a replacement cut short), and teardown
   * must delete both. Kinds that carry no tags return an empty list.
   */
  find(ctx: ReconcileContext, query: FindQuery): Promise<O[]>
  /** Pure. Normalised comparison; an empty array means no mutating call. */
  diff(desired: D, observed: O): Change[]
  create(ctx: ReconcileContext, desired: D, meta: CreateMeta): Promise<O>
  update(ctx: ReconcileContext, desired: D, observed: O, changes: Change[]): Promise<O>
  /**
   * Idempotent: a resource already gone counts as deleted. Waits until AWS no
   * longer blocks dependents' deletion.
   */
  delete(ctx: ReconcileContext, observed: O, options: DeleteOptions): Promise<void>
  /** What dependents may reference: always `id`, plus arn, dns names… Never a sensitive value. */
  outputs(observed: O): Record<string, string>
  /** Wait until the object is usable (NAT gateway `available`, ECS deployment done…). Absent: ready at once. */
  waitReady?(ctx: ReconcileContext, observed: O): Promise<O>
  /**
   * When `waitReady` runs: `dependents` (default) only when something waits
   * for the object; `always` after every create and update, and whenever an
   * existing object is not ready, leaf or not (an ECS deployment whose
   * rollback is a failure).
   */
  readonly readyWhen?: 'dependents' | 'always'
  /** Bound of this kind's waits (ms), when AWS's own timings call for another than the run's default (RDS: 40 min). */
  readonly waitTimeoutMs?: number
  /** For `status`. Absent: `{state: 'ok', ready: true}`. */
  health?(observed: O): Health
  /**
   * For `status` only (never `plan` or `up`, whose reads stay as they are):
   * details of existing objects, from a few more reads batched for all the
   * kind's objects at once (per cluster, not per service). Objects absent
   * from the map have none.
   */
  statusDetails?(ctx: ReconcileContext, observed: O[]): Promise<Map<string, StatusDetails>>
  /** This kind's error codes; undefined for anything it does not recognise. */
  classifyError(error: unknown): ErrorClass | undefined
  /** Set when deleting this object loses data (a database, a repository with images, a user-set secret). */
  dataLoss?(observed: O): DataLoss | undefined
  /**
   * Why an object the stack uses is not the stack's to delete: it was found
   * (by name), never made by the stack, as a domain's hosted zone the user
   * made. Teardown, and a replacement's delete, leave it in place, even with
   * --purge, and say so. Undefined: the stack's own.
   */
  notOurs?(observed: O): string | undefined
  /**
   * For an object the spec says exists already, which the stack uses and
   * never makes (a domain's hosted zone, unless createZone): what is wrong
   * when it is not found, naming it and the way out. The plan then makes it
   * no create, and `up` refuses before any change. Undefined: create it.
   */
  mustExist?(desired: D): string | undefined
  /**
   * Before any change (`plan`, `up`): why objects the plan is about to
   * create cannot be, when AWS already says so (a DNS name another owner's
   * record holds), one message each, naming what holds it. `up` then
   * refuses before any change instead of failing half-way. `desired` is as
   * planned: references to objects not made yet are not resolved.
   */
  conflicts?(ctx: ReconcileContext, creating: {logicalId: string; desired: D}[]): Promise<string[]>
}
