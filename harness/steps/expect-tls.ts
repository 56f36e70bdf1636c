import { Type } from '@sinclair/typebox';
import { endpointFor } from './context';
import { describeSession } from '../net/tls-session';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { CheckedRule, ConnName, defineStep, onConn } from './define';
import { resolveServername } from './support/tls-options';

export const expectTls = defineStep({
  name: 'expect-tls',
  summary:
    'Checks what the TLS handshake of a connection settled: protocol version, ALPN protocol, and the ' +
    "server certificate (valid now, key strength, covers the host name). Nothing is read or sent.",
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      protocol: Type.Optional(Type.String({ description: 'e.g. TLSv1.3' })),
      alpn: Type.Optional(
        Type.Union([Type.String(), Type.Literal(false)], { description: 'the selected protocol; "$declared" means one the target declares; false: none' }),
      ),
      certificate: Type.Optional(
        Type.Object(
          {
            validNow: Type.Optional(Type.Boolean()),
            minRsaBits: Type.Optional(Type.Integer({ minimum: 1 })),
            minEcBits: Type.Optional(Type.Integer({ minimum: 1 })),
            covers: Type.Optional(Type.String({ description: 'a host name the certificate must be valid for; "$servername" or "$alt" for the declared ones' })),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect TLS ${[p.protocol, p.alpn !== undefined ? `ALPN ${p.alpn}` : '', p.certificate ? 'certificate' : ''].filter(Boolean).join(', ')}${onConn(p.conn)}`,
  async run(p, ctx) {
    const conn = ctx.scope.tcp(p.conn);
    const session = conn.tls;
    if (!session) throw new SuiteUsageError(`connection "${p.conn ?? 'main'}" is not TLS`);
    const seen = `the handshake settled ${describeSession(session)}`;
    if (p.protocol !== undefined && session.protocol !== p.protocol) throw new StepFailure(`expected ${p.protocol}; ${seen}`);
    const endpoint = endpointFor(ctx.run, undefined);
    if (p.alpn !== undefined) {
      const declared = endpoint.tls?.alpn ?? [];
      const ok = p.alpn === '$declared' ? session.alpn !== false && declared.includes(session.alpn) : session.alpn === p.alpn;
      const want = p.alpn === '$declared' ? `one of ${declared.join(', ')}` : p.alpn === false ? 'no protocol' : p.alpn;
      if (!ok) throw new StepFailure(`expected ALPN to select ${want}; ${seen}`);
    }
    const rules = p.certificate;
    if (!rules) return;
    const cert = session.certificate;
    if (!cert) throw new StepFailure(`expected a server certificate; ${seen}`);
    const details = [`subject: ${cert.subject.replace(/\n/g, ', ')}`, `names: ${cert.subjectAltName ?? '(none)'}`, `valid ${cert.validFrom} to ${cert.validTo}`];
    const now = Date.now();
    if (rules.validNow && (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo))) {
      throw new StepFailure(`the server certificate is not valid now (valid ${cert.validFrom} to ${cert.validTo})`, details);
    }
    const key = cert.publicKey;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? ecBits(key.asymmetricKeyDetails?.namedCurve);
    const minimum = key.asymmetricKeyType === 'rsa' ? rules.minRsaBits : key.asymmetricKeyType === 'ec' ? rules.minEcBits : undefined;
    if (minimum !== undefined && (bits ?? 0) < minimum) {
      throw new StepFailure(`the server key is ${key.asymmetricKeyType} ${bits} bits; at least ${minimum} required`, details);
    }
    if (rules.covers !== undefined) {
      const host = rules.covers === '$servername' ? resolveServername(undefined, endpoint) : resolveServername(rules.covers, endpoint);
      if (!cert.checkHost(host) && !cert.checkIP(host)) throw new StepFailure(`the server certificate does not cover ${host}`, details);
    }
  },
});

function ecBits(curve: string | undefined): number | undefined {
  if (!curve) return undefined;
  const match = /(\d{3})/.exec(curve);
  return match ? Number(match[1]) : undefined;
}
