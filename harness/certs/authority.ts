import { constants, generateKeyPair, privateEncrypt, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

/** A certificate and its private key, both PEM: what TLS options and files take. */
export interface PemPair {
  cert: string;
  key: string;
}

export interface KeyPair {
  /** PKCS#8 PEM, as Node's TLS options take it. */
  pem: string;
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

/** A certificate that signs others, kept in forge form so issuing needs no re-parsing. */
export interface Issuer {
  cert: forge.pki.Certificate;
  key: KeyPair;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export type Purpose = 'serverAuth' | 'clientAuth';

export interface LeafSpec {
  commonName: string;
  dnsNames?: string[];
  ips?: string[];
  purpose: Purpose;
  validity: Validity;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates start an hour in the past so a peer whose clock lags a little still accepts them. */
const CLOCK_SKEW_MS = 60 * 60 * 1000;
const ORGANIZATION = 'sockspec';
const SAN_DNS = 2;
const SAN_IP = 7;
/** DER prefix of a PKCS#1 DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1); the digest follows. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * RSA (2048 bits unless a weak key is wanted) through node:crypto rather than forge's generator:
 * forge falls back to pure JavaScript (~1.5 s a key instead of ~0.1 s) whenever its native
 * detection fails or usePureJavaScript is set, and the asynchronous call lets several keys be made
 * in parallel on libuv's threads.
 */
export async function generateKey(bits = 2048): Promise<KeyPair> {
  const { privateKey: pem } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { pem, privateKey, publicKey: forge.pki.rsa.setPublicKey(privateKey.n, privateKey.e) };
}

/** Valid from (now - skew) for `days` days. */
export function validFor(days: number, now = Date.now()): Validity {
  return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(now + days * DAY_MS) };
}

/**
 * A CA, allowed to sign certificates but not to act as a server: a root (self-signed) when there is
 * no `issuer`, else an intermediate that `issuer` signs.
 */
export function createAuthority(commonName: string, key: KeyPair, validity: Validity, issuer?: Issuer): Issuer {
  const cert = newCertificate(commonName, key, validity);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    ...(issuer ? [authorityKeyIdentifier(issuer)] : []),
  ]);
  sign(cert, issuer ?? { cert, key });
  return { cert, key };
}

/** A leaf certificate signed by `issuer`, or self-signed when there is none. */
export function issueLeaf(spec: LeafSpec, key: KeyPair, issuer?: Issuer): PemPair {
  const cert = newCertificate(spec.commonName, key, spec.validity);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', [spec.purpose]: true },
    ...subjectAltName(spec),
    { name: 'subjectKeyIdentifier' },
    ...(issuer ? [authorityKeyIdentifier(issuer)] : []),
  ]);
  sign(cert, issuer ?? { cert, key });
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
}

export function authorityPem(authority: Issuer): PemPair {
  return { cert: forge.pki.certificateToPem(authority.cert), key: authority.key.pem };
}

function newCertificate(commonName: string, key: KeyPair, validity: Validity): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  cert.setSubject([
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: ORGANIZATION },
  ]);
  return cert;
}

/**
 * Always SHA-256: forge's default digest is SHA-1, and OpenSSL 3 refuses SHA-1 certificates
 * (ERR_SSL_CA_MD_TOO_WEAK).
 */
function sign(cert: forge.pki.Certificate, issuer: Issuer): void {
  cert.setIssuer(issuer.cert.subject.attributes);
  cert.sign(nativeSha256Signer(issuer.key), forge.md.sha256.create());
}

/**
 * forge's key with its `sign` done by OpenSSL: forge's own RSA arithmetic is pure JavaScript, ~25 ms
 * a certificate against ~1 ms, which was half the time of a whole set. RSASSA-PKCS1-v1_5 is
 * deterministic, so the bytes are the ones forge would produce: a private-key operation with
 * type-1 padding over the SHA-256 DigestInfo.
 */
function nativeSha256Signer(key: KeyPair): forge.pki.rsa.PrivateKey {
  return {
    ...key.privateKey,
    sign: (md: forge.md.MessageDigest) => {
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]);
      return privateEncrypt({ key: key.pem, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  };
}

/**
 * 128 random bits as a positive DER integer with no leading zero byte: the top bit is cleared
 * (a set one would read as negative) and the next one set (so the first byte is never zero).
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** None for a client certificate: an empty subjectAltName is invalid DER, not an empty list. */
function subjectAltName(spec: LeafSpec): object[] {
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: SAN_DNS, value })),
    ...(spec.ips ?? []).map((ip) => ({ type: SAN_IP, ip })),
  ];
  return altNames.length ? [{ name: 'subjectAltName', altNames }] : [];
}

/** forge's `keyIdentifier: true` would take the leaf's own key; the issuer's is the one that counts. */
function authorityKeyIdentifier(issuer: Issuer): object {
  return { name: 'authorityKeyIdentifier', keyIdentifier: issuer.cert.generateSubjectKeyIdentifier().getBytes() };
}
