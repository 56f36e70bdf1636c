import { DAY_MS, type LeafSpec, type PemPair, type Validity, authorityPem, createAuthority, generateKey, issueLeaf, validFor } from './authority';

/** The name every good server certificate is for, and the one clients verify against. */
export const SERVER_NAME = 'localhost';
/** The second name a server answers for by SNI, with its own certificate. */
export const ALT_SERVER_NAME = 'alt.localhost';
export const WRONG_SERVER_NAME = 'wrong.example';
/** Covers every name one label below localhost, but not localhost itself (RFC 6125 §6.4.3). */
export const WILDCARD_SERVER_NAME = '*.localhost';
const SERVER_IPS = ['127.0.0.1', '::1'];

const AUTHORITY_DAYS = 365;
const LEAF_DAYS = 30;
/** Below RFC 9325 §4.5's 2048 bits, yet still accepted by OpenSSL's default security level (1). */
const WEAK_RSA_BITS = 1024;

/** Everything a TLS case needs: good certificates, and bad ones that each fail in one known way. */
export interface CertificateSet {
  /** The root that clients trust, and that signs every certificate below unless said otherwise. */
  ca: PemPair;
  /** CN and SAN localhost, 127.0.0.1, ::1; serverAuth. */
  server: PemPair;
  /** SAN alt.localhost only: what SNI for that name should return. */
  alt: PemPair;
  /** Like `server`, but its notAfter is a day in the past. */
  expired: PemPair;
  /** Signed by `ca`, but for wrong.example only. */
  wrongHost: PemPair;
  /** Signed by `ca`, for *.localhost only: the common mistake of a wildcard for the apex name. */
  wildcard: PemPair;
  /** Like `server`, but its key is RSA-1024: valid and trusted, yet too weak. */
  weakKey: PemPair;
  /** localhost names, signed by its own key rather than by `ca`. */
  selfSigned: PemPair;
  /** A second root that nobody trusts. */
  otherCa: PemPair;
  /** localhost names, signed by `otherCa`. */
  otherCaServer: PemPair;
  /** clientAuth, signed by `ca`: what a mutual-TLS server should accept. */
  client: PemPair;
  /** clientAuth, signed by `otherCa`: what a mutual-TLS server should refuse. */
  otherCaClient: PemPair;
  /** A CA that `ca` signs: a server sends it after its leaf so that clients trusting only `ca` can build the chain. */
  intermediate: PemPair;
  /** Like `server`, but signed by `intermediate`: valid only with `intermediate` sent beside it. */
  chained: PemPair;
  /** Like `server`, but its notBefore is a day in the future. */
  notYetValid: PemPair;
  /** Signed by `intermediate`, with the server's IP addresses as its only names (no DNS name). */
  ipOnly: PemPair;
}

export type CertificateName = keyof CertificateSet;

/** A record rather than a list so that the compiler complains when a name is added to one only. */
const NAMED: Record<CertificateName, true> = {
  ca: true, server: true, alt: true, expired: true, wrongHost: true, wildcard: true, weakKey: true,
  selfSigned: true, otherCa: true, otherCaServer: true, client: true, otherCaClient: true,
  intermediate: true, chained: true, notYetValid: true, ipOnly: true,
};
/** The certificates made invalid on purpose by their dates: a cached set is judged without them. */
export const OUT_OF_DATE: readonly CertificateName[] = ['expired', 'notYetValid'];
export const CERTIFICATE_NAMES = Object.keys(NAMED) as readonly CertificateName[];

/**
 * Makes a fresh set. Key generation is most of the cost (~0.1 s of CPU per RSA-2048 key), so there
 * is one key per role rather than per certificate: the two roots, every server certificate, every
 * client certificate. What each case checks is who signed a certificate and for what, never whether
 * two certificates share a key. The one weak key is a key of its own: its size is what it is for.
 */
export async function createCertificateSet(now = Date.now()): Promise<CertificateSet> {
  const [caKey, otherCaKey, intermediateKey, serverKey, clientKey, weakKey] = await Promise.all([
    generateKey(), generateKey(), generateKey(), generateKey(), generateKey(), generateKey(WEAK_RSA_BITS),
  ]);
  const ca = createAuthority('sockspec test CA', caKey, validFor(AUTHORITY_DAYS, now));
  const intermediate = createAuthority('sockspec intermediate CA', intermediateKey, validFor(AUTHORITY_DAYS, now), ca);
  const otherCa = createAuthority('sockspec unrelated CA', otherCaKey, validFor(AUTHORITY_DAYS, now));
  const server = serverSpec(now);
  const client = clientSpec(now);
  return {
    ca: authorityPem(ca),
    server: issueLeaf(server, serverKey, ca),
    alt: issueLeaf({ ...server, commonName: ALT_SERVER_NAME, dnsNames: [ALT_SERVER_NAME], ips: [] }, serverKey, ca),
    expired: issueLeaf({ ...server, validity: expiredValidity(now) }, serverKey, ca),
    wrongHost: issueLeaf({ ...server, commonName: WRONG_SERVER_NAME, dnsNames: [WRONG_SERVER_NAME], ips: [] }, serverKey, ca),
    wildcard: issueLeaf({ ...server, commonName: WILDCARD_SERVER_NAME, dnsNames: [WILDCARD_SERVER_NAME], ips: [] }, serverKey, ca),
    weakKey: issueLeaf(server, weakKey, ca),
    selfSigned: issueLeaf(server, serverKey),
    otherCa: authorityPem(otherCa),
    otherCaServer: issueLeaf(server, serverKey, otherCa),
    client: issueLeaf(client, clientKey, ca),
    otherCaClient: issueLeaf(client, clientKey, otherCa),
    intermediate: authorityPem(intermediate),
    chained: issueLeaf(server, serverKey, intermediate),
    notYetValid: issueLeaf({ ...server, validity: notYetValidity(now) }, serverKey, ca),
    ipOnly: issueLeaf({ ...server, commonName: 'sockspec IP address', dnsNames: [], ips: SERVER_IPS }, serverKey, intermediate),
  };
}

function serverSpec(now: number): LeafSpec {
  return { commonName: SERVER_NAME, dnsNames: [SERVER_NAME], ips: SERVER_IPS, purpose: 'serverAuth', validity: validFor(LEAF_DAYS, now) };
}

function clientSpec(now: number): LeafSpec {
  return { commonName: 'sockspec client', purpose: 'clientAuth', validity: validFor(LEAF_DAYS, now) };
}

/** Valid from tomorrow: not yet valid whatever a peer's clock skew. */
function notYetValidity(now: number): Validity {
  return { notBefore: new Date(now + DAY_MS), notAfter: new Date(now + (LEAF_DAYS + 1) * DAY_MS) };
}

/** Issued two days ago, expired yesterday: expired whatever a peer's clock skew. */
function expiredValidity(now: number): Validity {
  return validFor(1, now - 2 * DAY_MS);
}
