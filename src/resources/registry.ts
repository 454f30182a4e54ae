import type {ElasticIpDesired, InternetGatewayDesired, NatGatewayDesired, RouteTableDesired, SecurityGroupDesired, SecurityGroupRulesDesired, SubnetDesired, VpcDesired, VpcEndpointDesired} from './ec2/desired.js'
import type {ElasticIpObserved} from './ec2/elastic-ip.js'
import type {InternetGatewayObserved} from './ec2/internet-gateway.js'
import type {NatGatewayObserved} from './ec2/nat-gateway.js'
import type {RouteTableObserved} from './ec2/route-table.js'
import type {SecurityGroupRulesObserved} from './ec2/security-group-rules.js'
import type {SecurityGroupObserved} from './ec2/security-group.js'
import type {SubnetObserved} from './ec2/subnet.js'
import type {VpcEndpointObserved} from './ec2/vpc-endpoint.js'
import type {VpcObserved} from './ec2/vpc.js'
import type {Reconciler} from './types.js'
import type {CertificateDesired, CertificateValidationDesired, SelfSignedCertificateDesired} from './acm/desired.js'
import type {CertificateObserved} from './acm/certificate.js'
import type {CertificateValidationObserved} from './acm/certificate-validation.js'
import type {SelfSignedCertificateObserved} from './acm/self-signed-certificate.js'
import type {AliasRecordDesired, HostedZoneDesired, ValidationRecordsDesired} from './route53/desired.js'
import type {AliasRecordObserved} from './route53/alias-record.js'
import type {HostedZoneObserved} from './route53/hosted-zone.js'
import type {ValidationRecordsObserved} from './route53/validation-records.js'
import type {ListenerDesired, ListenerRulesDesired, LoadBalancerDesired, TargetGroupDesired} from './elbv2/desired.js'
import type {ListenerRulesObserved} from './elbv2/listener-rules.js'
import type {ListenerObserved} from './elbv2/listener.js'
import type {LoadBalancerObserved} from './elbv2/load-balancer.js'
import type {TargetGroupObserved} from './elbv2/target-group.js'
import type {InstanceProfileDesired, RoleDesired} from './iam/desired.js'
import type {InstanceProfileObserved} from './iam/instance-profile.js'
import type {RoleObserved} from './iam/role.js'
import type {RepositoryDesired} from './ecr/desired.js'
import type {RepositoryObserved} from './ecr/repository.js'
import type {LogGroupDesired} from './logs/desired.js'
import type {LogGroupObserved} from './logs/log-group.js'
import type {AmiDesired, InstanceDesired, LaunchTemplateDesired} from './ec2/desired.js'
import type {AmiObserved} from './ec2/ami.js'
import type {LaunchTemplateObserved} from './ec2/launch-template.js'
import type {InstanceObserved} from './ec2/instance.js'
import type {AutoScalingGroupDesired} from './autoscaling/desired.js'
import type {AutoScalingGroupObserved} from './autoscaling/group.js'
import type {CapacityProviderDesired, ClusterDesired, ServiceDesired, TaskDefinitionDesired} from './ecs/desired.js'
import type {CapacityProviderObserved} from './ecs/capacity-provider.js'
import type {ClusterObserved} from './ecs/cluster.js'
import type {ServiceObserved} from './ecs/service.js'
import type {TaskDefinitionObserved} from './ecs/task-definition.js'

/**
 * Every resource kind: its desired and observed types (type-only imports,
 * free at run time) and, below, the module that reconciles it. A new kind
 * is one entry in each.
 */
export interface KindTypes {
  'ec2.vpc': {desired: VpcDesired; observed: VpcObserved}
  'ec2.subnet': {desired: SubnetDesired; observed: SubnetObserved}
  'ec2.internet-gateway': {desired: InternetGatewayDesired; observed: InternetGatewayObserved}
  'ec2.elastic-ip': {desired: ElasticIpDesired; observed: ElasticIpObserved}
  'ec2.nat-gateway': {desired: NatGatewayDesired; observed: NatGatewayObserved}
  'ec2.route-table': {desired: RouteTableDesired; observed: RouteTableObserved}
  'ec2.security-group': {desired: SecurityGroupDesired; observed: SecurityGroupObserved}
  'ec2.security-group-rules': {desired: SecurityGroupRulesDesired; observed: SecurityGroupRulesObserved}
  'ec2.vpc-endpoint': {desired: VpcEndpointDesired; observed: VpcEndpointObserved}
  'acm.certificate': {desired: CertificateDesired; observed: CertificateObserved}
  'acm.certificate-validation': {desired: CertificateValidationDesired; observed: CertificateValidationObserved}
  'acm.self-signed-certificate': {desired: SelfSignedCertificateDesired; observed: SelfSignedCertificateObserved}
  'route53.hosted-zone': {desired: HostedZoneDesired; observed: HostedZoneObserved}
  'route53.alias-record': {desired: AliasRecordDesired; observed: AliasRecordObserved}
  'route53.validation-records': {desired: ValidationRecordsDesired; observed: ValidationRecordsObserved}
  'elbv2.load-balancer': {desired: LoadBalancerDesired; observed: LoadBalancerObserved}
  'elbv2.target-group': {desired: TargetGroupDesired; observed: TargetGroupObserved}
  'elbv2.listener': {desired: ListenerDesired; observed: ListenerObserved}
  'elbv2.listener-rules': {desired: ListenerRulesDesired; observed: ListenerRulesObserved}
  'iam.role': {desired: RoleDesired; observed: RoleObserved}
  'iam.instance-profile': {desired: InstanceProfileDesired; observed: InstanceProfileObserved}
  'ecr.repository': {desired: RepositoryDesired; observed: RepositoryObserved}
  'logs.log-group': {desired: LogGroupDesired; observed: LogGroupObserved}
  'ec2.ami': {desired: AmiDesired; observed: AmiObserved}
  'ec2.launch-template': {desired: LaunchTemplateDesired; observed: LaunchTemplateObserved}
  'ec2.instance': {desired: InstanceDesired; observed: InstanceObserved}
  'autoscaling.group': {desired: AutoScalingGroupDesired; observed: AutoScalingGroupObserved}
  'ecs.cluster': {desired: ClusterDesired; observed: ClusterObserved}
  'ecs.task-definition': {desired: TaskDefinitionDesired; observed: TaskDefinitionObserved}
  'ecs.service': {desired: ServiceDesired; observed: ServiceObserved}
  'ecs.capacity-provider': {desired: CapacityProviderDesired; observed: CapacityProviderObserved}
}

export type Kind = keyof KindTypes
export type DesiredOf<K extends Kind> = KindTypes[K]['desired']
export type ObservedOf<K extends Kind> = KindTypes[K]['observed']
export type ReconcilerOf<K extends Kind> = Reconciler<DesiredOf<K>, ObservedOf<K>>

/**
 * Kind → reconciler module, loaded on first use so that commands which never
 * touch a kind (or `--help`) don't pay for its SDK client.
 */
const loaders: {[K in Kind]: () => Promise<ReconcilerOf<K>>} = {
  'ec2.vpc': async () => (await import('./ec2/vpc.js')).vpc,
  'ec2.subnet': async () => (await import('./ec2/subnet.js')).subnet,
  'ec2.internet-gateway': async () => (await import('./ec2/internet-gateway.js')).internetGateway,
  'ec2.elastic-ip': async () => (await import('./ec2/elastic-ip.js')).elasticIp,
  'ec2.nat-gateway': async () => (await import('./ec2/nat-gateway.js')).natGateway,
  'ec2.route-table': async () => (await import('./ec2/route-table.js')).routeTable,
  'ec2.security-group': async () => (await import('./ec2/security-group.js')).securityGroup,
  'ec2.security-group-rules': async () => (await import('./ec2/security-group-rules.js')).securityGroupRules,
  'ec2.vpc-endpoint': async () => (await import('./ec2/vpc-endpoint.js')).vpcEndpoint,
  'acm.certificate': async () => (await import('./acm/certificate.js')).certificate,
  'acm.certificate-validation': async () => (await import('./acm/certificate-validation.js')).certificateValidation,
  'acm.self-signed-certificate': async () => (await import('./acm/self-signed-certificate.js')).selfSignedCertificate,
  'route53.hosted-zone': async () => (await import('./route53/hosted-zone.js')).hostedZone,
  'route53.alias-record': async () => (await import('./route53/alias-record.js')).aliasRecord,
  'route53.validation-records': async () => (await import('./route53/validation-records.js')).validationRecords,
  'elbv2.load-balancer': async () => (await import('./elbv2/load-balancer.js')).loadBalancer,
  'elbv2.target-group': async () => (await import('./elbv2/target-group.js')).targetGroup,
  'elbv2.listener': async () => (await import('./elbv2/listener.js')).listener,
  'elbv2.listener-rules': async () => (await import('./elbv2/listener-rules.js')).listenerRules,
  'iam.role': async () => (await import('./iam/role.js')).role,
  'iam.instance-profile': async () => (await import('./iam/instance-profile.js')).instanceProfile,
  'ecr.repository': async () => (await import('./ecr/repository.js')).repository,
  'logs.log-group': async () => (await import('./logs/log-group.js')).logGroup,
  'ec2.ami': async () => (await import('./ec2/ami.js')).ami,
  'ec2.launch-template': async () => (await import('./ec2/launch-template.js')).launchTemplate,
  'ec2.instance': async () => (await import('./ec2/instance.js')).instance,
  'autoscaling.group': async () => (await import('./autoscaling/group.js')).autoScalingGroup,
  'ecs.cluster': async () => (await import('./ecs/cluster.js')).cluster,
  'ecs.task-definition': async () => (await import('./ecs/task-definition.js')).taskDefinition,
  'ecs.service': async () => (await import('./ecs/service.js')).service,
  'ecs.capacity-provider': async () => (await import('./ecs/capacity-provider.js')).capacityProvider,
}

export function isKind(kind: string): kind is Kind {
  return Object.hasOwn(loaders, kind)
}

/** What the engine sees: kinds by name, no kind known to it in particular. */
export interface ReconcilerRegistry {
  get(kind: string): Promise<Reconciler>
  kinds(): string[]
}

/** Each module is imported once per process (a dynamic import is not free, least of all under a test runner's loader). */
const loaded = new Map<Kind, Promise<Reconciler>>()

function load<K extends Kind>(kind: K): Promise<ReconcilerOf<K>> {
  let reconciler = loaded.get(kind)
  if (!reconciler) loaded.set(kind, (reconciler = loaders[kind]() as Promise<Reconciler>))
  return reconciler as Promise<ReconcilerOf<K>>
}

export const registry: ReconcilerRegistry & {typed<K extends Kind>(kind: K): Promise<ReconcilerOf<K>>} = {
  async get(kind) {
    if (!isKind(kind)) throw new Error(`no reconciler for resource kind "${kind}"`)
    return (await load(kind)) as Reconciler
  },
  typed: load,
  kinds: () => Object.keys(loaders),
}
