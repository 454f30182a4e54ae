import {randomBytes, webcrypto} from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'

/**
 * A self-signed X.509 v3 server certificate and its key, made in memory.
 *
 * Node's crypto makes and uses keys but cannot build a certificate; pkijs
 * (PKI.js, PeculiarVentures: the ASN.1/X.509 layer under their WebCrypto
 * tooling) does, over Node's own WebCrypto, in pure ESM with no global side
 * effects, five small packages in all. @peculiar/x509 2.x, its higher-level
 * sibling, needs a `reflect-metadata` polyfill installed globally for
 * tsyringe (it throws "tsyringe requires a reflect polyfill" on import);
 * node-forge signs in pure JavaScript with its own RSA and carries a long
 * CVE history. Hand-written DER would be ours to get right, tag by tag.
 *
 * RSA 2048 with SHA-256: what ACM imports and every client and ALB
 * security policy accepts (ACM imports RSA 1024–4096 and ECDSA P-256/384/521;
 * an Application Load Balancer takes them all, but ECDSA needs the client
 * to offer ECDSA suites).
 * https://docs.aws.amazon.com/acm/latest/userguide/import-certificate-prerequisites.html
 */

export interface SelfSigned {
  /** PEM of the certificate. */
  certificate: string
  /** PEM (PKCS#8) of the private key. Held only while it is imported: never logged, stored or returned further. */
  privateKey: Buffer
  notBefore: Date
  notAfter: Date
}

const KEY_ALGORITHM: webcrypto.RsaHashedKeyGenParams = {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1])}
const OID = {commonName: '2.5.4.3', subjectAltName: '2.5.29.17', basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', serverAuth: '1.3.6.1.5.5.7.3.1'}

/** How far before now the certificate starts, so that a clock a little ahead of ACM's does not make it "not yet valid". */
const BACKDATE_MS = 5 * 60_000

function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64')
  return `-----BEGIN ${label}-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`
}

/**
 * CN = SAN dNSName = `commonName`, valid `validityDays` from `now`, a random
 * positive 128-bit serial; end-entity (CA: false), key usage for TLS server
 * authentication.
 */
export async function makeSelfSigned(commonName: string, validityDays: number, now: number): Promise<SelfSigned> {
  // pkijs types its engine with the DOM's Crypto; Node's WebCrypto is that API.
  const engine = new pkijs.CryptoEngine({name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto']})
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const certificate = new pkijs.Certificate()
  certificate.version = 2
  const serial = randomBytes(16)
  serial[0] = serial[0]! & 0x7f
  if (serial[0] === 0) serial[0] = 1
  certificate.serialNumber = new asn1js.Integer({valueHex: serial})
  const name = new pkijs.AttributeTypeAndValue({type: OID.commonName, value: new asn1js.Utf8String({value: commonName})})
  certificate.subject.typesAndValues.push(name)
  certificate.issuer.typesAndValues.push(name)
  const notBefore = new Date(now - BACKDATE_MS)
  const notAfter = new Date(now + validityDays * 86_400_000)
  certificate.notBefore.value = notBefore
  certificate.notAfter.value = notAfter
  const names = new pkijs.GeneralNames({names: [new pkijs.GeneralName({type: 2, value: commonName})]})
  // keyUsage: digitalSignature (bit 0) and keyEncipherment (bit 2), as a BIT STRING with 5 unused bits.
  const keyUsage = new asn1js.BitString({valueHex: new Uint8Array([0xa0]).buffer, unusedBits: 5})
  const extendedKeyUsage = new pkijs.ExtKeyUsage({keyPurposes: [OID.serverAuth]})
  certificate.extensions = [
    new pkijs.Extension({extnID: OID.subjectAltName, critical: false, extnValue: names.toSchema().toBER(false)}),
    new pkijs.Extension({extnID: OID.basicConstraints, critical: true, extnValue: new pkijs.BasicConstraints({cA: false}).toSchema().toBER(false)}),
    new pkijs.Extension({extnID: OID.keyUsage, critical: true, extnValue: keyUsage.toBER(false)}),
    new pkijs.Extension({extnID: OID.extKeyUsage, critical: false, extnValue: extendedKeyUsage.toSchema().toBER(false)}),
  ]
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey, engine)
  await certificate.sign(keys.privateKey, 'SHA-256', engine)
  const keyDer = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  const privateKey = Buffer.from(pem('PRIVATE KEY', keyDer))
  keyDer.fill(0)
  return {certificate: pem('CERTIFICATE', certificate.toSchema(true).toBER(false)), privateKey, notBefore, notAfter}
}
