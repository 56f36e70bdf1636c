/**
 * What a case needs from its target beyond the service itself; without it the case is skipped,
 * "needs " and this as the reason. Each says how to declare it wherever the user runs sockspec:
 * on the command line, in sockspec.config.json (their own jest), in a targets file.
 */
export const NEEDS = {
  sni: 'a second server name with its own certificate (--alt-servername on the command line, tls.altServername in sockspec.config.json, altServername in a targets file)',
  alpn: 'the ALPN protocols the server supports (--alpn on the command line, tls.alpn in sockspec.config.json, alpn in a targets file)',
  restart: 'a target sockspec starts and stops itself (builtin, a command or an image: --cmd, --image or --target container on the command line, cmd or image in sockspec.config.json or a targets file)',
  'host-network':
    "a server started in this host's network namespace (builtin, or a command: --cmd, or cmd in sockspec.config.json or a targets file); each container start has a namespace of its own, which a port held here, TIME_WAIT and a second instance do not reach",
  'idle-timeout': 'the idle timeout the server declares (--idle-timeout on the command line, idleTimeoutMs in sockspec.config.json, idleTimeout in a targets file)',
  'client-timeout': 'the timeout the client declares (--client-timeout on the command line, clientTimeoutMs in sockspec.config.json, clientTimeout in a targets file)',
} as const;
export type Need = keyof typeof NEEDS;
