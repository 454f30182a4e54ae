/** Desired properties of the ACM kinds (src/graph/front-door.ts builds them from the spec's `loadBalancer.tls`). */

/**
 * `acm.certificate`: a public certificate requested from ACM, validated by
 * DNS. Create requests it (idempotency token: the create token) and returns
 * once ACM has named the validation records; it does not wait for ISSUED
 * (`acm.certificate-validation` does, once the records exist). Outputs: id
 * (= arn), arn, validationRecords (JSON: [{name, type, value}], one per
 * distinct record).
 */
export interface CertificateDesired {
  domainName: string
  /** Other names on the certificate (`*.example.com`, `api.example.com`). Immutable (replacement, create-before-delete). */
  subjectAlternativeNames: string[]
}

/**
 * `acm.certificate-validation`: waits until the certificate is ISSUED (its
 * validation records exist); nothing to create or delete in AWS (as
 * Terraform's aws_acm_certificate_validation). Outputs: id (= certificate
 * arn), arn, notAfter.
 */
export interface CertificateValidationDesired {
  certificateArn: string
  /** The FQDNs of the validation records written for it (only to order the wait after them). */
  recordNames: string[]
}

/**
 * `acm.self-signed-certificate`: for a stack with no domain (seed 004). Create
 * generates a key pair and an X.509 certificate in memory and imports them
 * into ACM (ImportCertificate); the private key never reaches disk, output,
 * logs or the state. Diff asks for a replacement (create-before-delete) when
 * the certificate expires within `renewDays`. Outputs: id (= arn), arn, notAfter.
 */
export interface SelfSignedCertificateDesired {
  commonName: string
  validityDays: number
  renewDays: number
}
