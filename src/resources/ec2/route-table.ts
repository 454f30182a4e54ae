import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  paginateDescribeRouteTables,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  type EC2Client,
  type Filter,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2'
import {hasCode} from '../../aws/errors.js'
import {ownerOf, ownerOfCreated, tagSpecifications} from '../tags.js'
import type {Change, Observed, ReconcileContext} from '../types.js'
import {collectPages, deleteIgnoringNotFound, ec2Kind, immutableChanges, retryWhileNewIdNotFound} from './describe.js'
import {classifyEc2Error, isEc2NotFound} from './errors.js'
import type {RouteDesired, RouteTableDesired} from './desired.js'

/** A route we manage (Origin `CreateRoute`, IPv4 destination). */
export interface RouteObserved {
  destinationCidr: string
  gatewayId?: string
  natGatewayId?: string
  /** Any other target (instance, ENI, peering, transit gateway…): never one we set, so always a difference. */
  otherTarget?: string
  /** `active` | `blackhole` (the target is gone, e.g. a deleted NAT gateway). */
  state: string
}

/** An explicit subnet association (the Main association is the VPC's, not ours). */
export interface RouteTableAssociationObserved {
  associationId: string
  subnetId: string
}

/** The table, its routes and its subnet associations are one resource. */
export interface RouteTableObserved extends Observed {
  vpcId: string
  routes: RouteObserved[]
  associations: RouteTableAssociationObserved[]
}

function target(route: {gatewayId?: string; natGatewayId?: string; otherTarget?: string}): string {
  return route.natGatewayId ?? route.gatewayId ?? route.otherTarget ?? '(none)'
}

/** Equal only when the target is the same and AWS still routes to it (a `blackhole` route needs ReplaceRoute). */
function sameRoute(desired: RouteDesired, observed: RouteObserved): boolean {
  return (desired.gatewayId ?? undefined) === observed.gatewayId && (desired.natGatewayId ?? undefined) === observed.natGatewayId && observed.otherTarget === undefined && observed.state === 'active'
}

export interface RoutesPlan {
  create: RouteDesired[]
  replace: RouteDesired[]
  /** Destination CIDRs. */
  remove: string[]
}

/** Pure: the route calls that make the table's routes the desired ones, keyed by destination. */
export function planRoutes(desired: RouteDesired[], observed: RouteObserved[]): RoutesPlan {
  const live = new Map(observed.map((route) => [route.destinationCidr, route]))
  const wanted = new Map(desired.map((route) => [route.destinationCidr, route]))
  const plan: RoutesPlan = {create: [], replace: [], remove: []}
  for (const [cidr, route] of wanted) {
    const current = live.get(cidr)
    if (!current) plan.create.push(route)
    else if (!sameRoute(route, current)) plan.replace.push(route)
  }
  for (const cidr of live.keys()) if (!wanted.has(cidr)) plan.remove.push(cidr)
  return plan
}

export interface AssociationsPlan {
  associate: string[]
  disassociate: RouteTableAssociationObserved[]
}

export function planAssociations(desiredSubnetIds: string[], observed: RouteTableAssociationObserved[]): AssociationsPlan {
  const wanted = new Set(desiredSubnetIds)
  const live = new Set(observed.map((association) => association.subnetId))
  return {
    associate: [...wanted].filter((subnetId) => !live.has(subnetId)),
    disassociate: observed.filter((association) => !wanted.has(association.subnetId)),
  }
}

export function diffRouteTable(desired: RouteTableDesired, observed: RouteTableObserved): Change[] {
  // A route table cannot move to another VPC.
  const changes = immutableChanges(desired, observed, ['vpcId'])
  const live = new Map(observed.routes.map((route) => [route.destinationCidr, route]))
  const routes = planRoutes(desired.routes, observed.routes)
  for (const route of [...routes.create, ...routes.replace]) {
    const current = live.get(route.destinationCidr)
    const before = current ? `${target(current)}${current.state === 'active' ? '' : ` (${current.state})`}` : undefined
    changes.push({field: `route ${route.destinationCidr}`, before, after: target(route), replace: false})
  }
  for (const cidr of routes.remove) changes.push({field: `route ${cidr}`, before: target(live.get(cidr)!), after: undefined, replace: false})
  const associations = planAssociations(desired.subnetIds, observed.associations)
  if (associations.associate.length > 0 || associations.disassociate.length > 0) {
    const sorted = (ids: string[]) => [...new Set(ids)].sort()
    changes.push({field: 'subnetIds', before: sorted(observed.associations.map((a) => a.subnetId)), after: sorted(desired.subnetIds), replace: false})
  }
  return changes
}

const OTHER_TARGETS = ['InstanceId', 'NetworkInterfaceId', 'VpcPeeringConnectionId', 'TransitGatewayId', 'EgressOnlyInternetGatewayId', 'CarrierGatewayId', 'LocalGatewayId', 'CoreNetworkArn'] as const

/**
 * Only IPv4 routes with Origin `CreateRoute` are ours: the `local` route
 * (Origin `CreateRouteTable`), prefix-list routes that gateway endpoints add
 * (DestinationPrefixListId) and propagated routes belong to AWS.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html
 */
function toObservedRoute(route: Route): RouteObserved | undefined {
  if (route.Origin !== 'CreateRoute' || !route.DestinationCidrBlock) return undefined
  const observed: RouteObserved = {destinationCidr: route.DestinationCidrBlock, state: route.State ?? 'active'}
  if (route.NatGatewayId) observed.natGatewayId = route.NatGatewayId
  else if (route.GatewayId) observed.gatewayId = route.GatewayId
  else {
    const other = OTHER_TARGETS.map((key) => route[key]).find((value) => value)
    if (other) observed.otherTarget = other
  }
  return observed
}

function toObserved(table: RouteTable): RouteTableObserved {
  return {
    id: table.RouteTableId!,
    ...ownerOf(table.Tags),
    vpcId: table.VpcId ?? '',
    routes: (table.Routes ?? []).map(toObservedRoute).filter((route): route is RouteObserved => route !== undefined),
    associations: (table.Associations ?? [])
      .filter((a) => !a.Main && a.SubnetId && a.AssociationState?.State !== 'disassociating' && a.AssociationState?.State !== 'disassociated')
      .map((a) => ({associationId: a.RouteTableAssociationId!, subnetId: a.SubnetId!})),
  }
}

async function describe(ctx: ReconcileContext, filters: Filter[]): Promise<RouteTableObserved[]> {
  const tables = await collectPages(paginateDescribeRouteTables({client: await ctx.aws.ec2()}, {Filters: filters}), (page) => page.RouteTables)
  return tables.map(toObserved)
}

/**
 * Sends a call that references ids which may have been created moments ago
 * (this table, a NAT gateway, a subnet) and answer NotFound until EC2 is
 * consistent: retried here, for at most two minutes, so that the calls made
 * before it are not repeated.
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
async function sendWhenVisible<T>(ctx: ReconcileContext, what: string, call: () => Promise<T>): Promise<T> {
  return retryWhileNewIdNotFound({...ctx, waitTimeoutMs: Math.min(ctx.waitTimeoutMs, 120_000)}, what, call)
}

function routeTarget(route: RouteDesired): {GatewayId?: string; NatGatewayId?: string} {
  return route.natGatewayId ? {NatGatewayId: route.natGatewayId} : {GatewayId: route.gatewayId}
}

async function createRoute(ctx: ReconcileContext, ec2: EC2Client, tableId: string, route: RouteDesired): Promise<void> {
  const input = {RouteTableId: tableId, DestinationCidrBlock: route.destinationCidr, ...routeTarget(route)}
  await sendWhenVisible(ctx, `route ${route.destinationCidr} in ${tableId}`, async () => {
    try {
      await ec2.send(new CreateRouteCommand(input))
    } catch (error) {
      // Already there (an earlier, interrupted attempt made it): make sure it points at the desired target.
      if (!hasCode(error, 'RouteAlreadyExists')) throw error
      await ec2.send(new ReplaceRouteCommand(input))
    }
  })
}

/**
 * Associates a subnet. A subnet has one explicit association at a time:
 * AssociateRouteTable answers Resource.AlreadyAssociated when another table
 * holds it, and ReplaceRouteTableAssociation moves that association here.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRouteTableAssociation.html
 */
async function associate(ctx: ReconcileContext, ec2: EC2Client, tableId: string, subnetId: string): Promise<RouteTableAssociationObserved> {
  return sendWhenVisible(ctx, `${subnetId} to associate with ${tableId}`, async () => {
    try {
      const response = await ec2.send(new AssociateRouteTableCommand({RouteTableId: tableId, SubnetId: subnetId}))
      return {associationId: response.AssociationId!, subnetId}
    } catch (error) {
      if (!hasCode(error, 'Resource.AlreadyAssociated')) throw error
    }
    const holder = await ec2.send(new DescribeRouteTablesCommand({Filters: [{Name: 'association.subnet-id', Values: [subnetId]}]}))
    const existing = (holder.RouteTables ?? []).flatMap((table) => table.Associations ?? []).find((association) => association.SubnetId === subnetId && !association.Main)
    if (!existing?.RouteTableAssociationId) throw new Error(`${subnetId} is reported as associated with another route table, but no association was found`)
    if (existing.RouteTableId === tableId) return {associationId: existing.RouteTableAssociationId, subnetId}
    const replaced = await ec2.send(new ReplaceRouteTableAssociationCommand({AssociationId: existing.RouteTableAssociationId, RouteTableId: tableId}))
    return {associationId: replaced.NewAssociationId!, subnetId}
  })
}

async function disassociate(ec2: EC2Client, associationId: string): Promise<void> {
  await deleteIgnoringNotFound(() => ec2.send(new DisassociateRouteTableCommand({AssociationId: associationId})))
}

/** Routes first (create, replace, delete), then associations: a subnet joins the table once its routes are in place. */
async function converge(ctx: ReconcileContext, desired: RouteTableDesired, observed: RouteTableObserved): Promise<RouteTableObserved> {
  const ec2 = await ctx.aws.ec2()
  const tableId = observed.id
  const routes = planRoutes(desired.routes, observed.routes)
  const associations = planAssociations(desired.subnetIds, observed.associations)
  const next: RouteTableObserved = {...observed, routes: [...observed.routes], associations: [...observed.associations]}
  const setRoute = (route: RouteDesired) => {
    const observedRoute: RouteObserved = {destinationCidr: route.destinationCidr, state: 'active'}
    if (route.natGatewayId) observedRoute.natGatewayId = route.natGatewayId
    else if (route.gatewayId) observedRoute.gatewayId = route.gatewayId
    next.routes = [...next.routes.filter((r) => r.destinationCidr !== route.destinationCidr), observedRoute]
  }

  for (const route of routes.create) {
    await createRoute(ctx, ec2, tableId, route)
    setRoute(route)
  }
  for (const route of routes.replace) {
    await sendWhenVisible(ctx, `route ${route.destinationCidr} in ${tableId}`, () => ec2.send(new ReplaceRouteCommand({RouteTableId: tableId, DestinationCidrBlock: route.destinationCidr, ...routeTarget(route)})))
    setRoute(route)
  }
  for (const cidr of routes.remove) {
    await deleteIgnoringNotFound(() => ec2.send(new DeleteRouteCommand({RouteTableId: tableId, DestinationCidrBlock: cidr})))
    next.routes = next.routes.filter((r) => r.destinationCidr !== cidr)
  }
  for (const subnetId of associations.associate) next.associations.push(await associate(ctx, ec2, tableId, subnetId))
  for (const association of associations.disassociate) {
    await disassociate(ec2, association.associationId)
    next.associations = next.associations.filter((a) => a.associationId !== association.associationId)
  }
  return next
}

export const routeTable = ec2Kind<RouteTableDesired, RouteTableObserved>({
  kind: 'ec2.route-table',
  // Tables have no unique name: the new one is built and subnets move to it before the old one goes.
  replaceStrategy: 'create-before-delete',
  // create passes meta.token as ClientToken: a retried create returns what the first attempt made.
  idempotentCreate: true,
  idFilter: 'route-table-id',
  describe,
  diff: diffRouteTable,

  async create(ctx, desired, meta) {
    const ec2 = await ctx.aws.ec2()
    const response = await ec2.send(new CreateRouteTableCommand({VpcId: desired.vpcId, ClientToken: meta.token, TagSpecifications: tagSpecifications('route-table', meta.tags)}))
    const created = {...toObserved(response.RouteTable!), ...ownerOfCreated(meta)}
    return converge(ctx, desired, created)
  },

  async update(ctx, desired, observed) {
    return converge(ctx, desired, observed)
  },

  async delete(ctx, observed) {
    const ec2 = await ctx.aws.ec2()
    let associations = observed.associations
    for (let attempt = 0; ; attempt++) {
      // A table with explicit associations cannot be deleted (DependencyViolation).
      for (const association of associations) await disassociate(ec2, association.associationId)
      try {
        await ec2.send(new DeleteRouteTableCommand({RouteTableId: observed.id}))
        return
      } catch (error) {
        if (isEc2NotFound(error)) return
        if (classifyEc2Error(error) !== 'in-use' || attempt > 0) throw error
        // Our picture may be stale (a subnet associated since it was read): disassociate what is there now, once.
        // Anything else (a gateway association) is thrown for the engine to retry or report.
        const fresh = (await describe(ctx, [{Name: 'route-table-id', Values: [observed.id]}]))[0]
        if (!fresh) return
        if (fresh.associations.length === 0) throw error
        associations = fresh.associations
      }
    }
  },

  outputs(observed) {
    return {id: observed.id, vpcId: observed.vpcId}
  },
})
