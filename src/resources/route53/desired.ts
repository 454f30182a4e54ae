/** Desired properties of the Route 53 kinds (src/graph/front-door.ts builds them from the spec's `domain`). */

/**
 * `route53.hosted-zone`: the public hosted zone of the spec's domain. Found by
 * name (ListHostedZonesByName); created only when the spec says so
 * (`create: true`), and then deleted by teardown only if this stack created
 * it (its tags). A zone that does not exist and may not be created fails the
 * run before any change, naming the domain. Outputs: id (the zone id without
 * `/hostedzone/`), name.
 */
export interface HostedZoneDesired {
  /** The domain, without a trailing dot. */
  name: string
  create: boolean
}

/**
 * `route53.alias-record`: A record(s) of one name aliasing the load balancer,
 * written with UPSERT, beside a TXT record that marks this stack as the
 * owner (as external-dns does: `"heritage=containrlab,containrlab/stack=<stack>,containrlab/id=<logical id>"`).
 * A record of that name without our marker is someone else's: it is never
 * changed or deleted (the run fails naming it). Observed id: `<zoneId>/<name>`.
 */
export interface AliasRecordDesired {
  zoneId: string
  /** FQDN without a trailing dot. */
  name: string
  targetDnsName: string
  targetHostedZoneId: string
  evaluateTargetHealth: boolean
}

/**
 * `route53.validation-records`: the CNAME records ACM asks for to validate a
 * certificate (from the certificate's `validationRecords` output), each with
 * the same TXT ownership marker. Observed id: `<zoneId>/<certificate arn>`.
 */
export interface ValidationRecordsDesired {
  zoneId: string
  /** JSON: [{name, type, value}] as `acm.certificate` outputs it. */
  records: string
  /**
   * The certificate's domain: where `find` looks for the stack's marked
   * records when neither the zone nor the records are known (a teardown
   * whose state was lost: both come from objects found in the same run).
   */
  domain: string
}
