// --web.config.file in the Prometheus exporter-toolkit format: TLS (optionally mutual) and
// basic auth with bcrypt hashes, so existing web config files work unchanged. What a serving
// process uses; the file is read and validated by config/web-config-file.ts.
export const clientAuthTypes = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof clientAuthTypes)[number];

export interface TlsSettings {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer;
  clientAuth: ClientAuthType;
  minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export interface WebConfig {
  readonly tls: TlsSettings | null;
  /** user → bcrypt hash; empty = no authentication. */
  readonly users: ReadonlyMap<string, string>;
  readonly headers: Readonly<Record<string, string>>;
}

export const noWebConfig: WebConfig = { tls: null, users: new Map(), headers: {} };

export class WebConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
