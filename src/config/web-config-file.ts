// Reads and validates a --web.config.file (run by the config child and check-config, never by serve).
import path from 'node:path';
import { z } from 'zod';
import { MAX_PEM_BYTES, readRegularFileSync, UnreadableFileError } from '../safe-file.js';
import { clientAuthTypes, WebConfigFileError, type TlsSettings, type WebConfig } from '../web-config.js';
import { filePath, section } from './fields.js';
import { readYamlFile } from './load.js';

const tlsVersions = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;

// bcrypt's modular crypt format: $2a$/$2b$/$2y$, two-digit cost, 53 characters of salt+hash.
const BCRYPT_RE = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

function webConfigSchema(baseDir: string) {
  const file = filePath({ baseDir });
  return section({
    tls_server_config: section({
      cert_file: file,
      key_file: file,
      client_auth_type: z.enum(clientAuthTypes).default('NoClientCert'),
      client_ca_file: file.optional(),
      min_version: z.enum(Object.keys(tlsVersions) as [keyof typeof tlsVersions]).default('TLS12'),
      max_version: z.enum(Object.keys(tlsVersions) as [keyof typeof tlsVersions]).optional(),
      // Accepted for compatibility with exporter-toolkit files; Node picks its own suites.
      cipher_suites: z.array(z.string()).optional(),
      prefer_server_cipher_suites: z.boolean().optional(),
      curve_preferences: z.array(z.string()).optional(),
    })
      .refine((t) => t.client_auth_type === 'NoClientCert' || t.client_auth_type === 'RequestClientCert' || t.client_auth_type === 'RequireAnyClientCert' || t.client_ca_file !== undefined, {
        message: 'client_ca_file is required to verify client certificates',
        path: ['client_ca_file'],
      })
      .optional(),
    http_server_config: section({
      http2: z.boolean().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    }).optional(),
    basic_auth_users: z
      .record(
        z.string().min(1),
        // The message never echoes the value: it is a password hash.
        z.string().regex(BCRYPT_RE, 'must be a bcrypt hash ($2y$10$...), not a plain password'),
      )
      .optional(),
  });
}

function readPem(configFile: string, key: string, file: string): Buffer {
  try {
    return readRegularFileSync(file, MAX_PEM_BYTES);
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    throw new WebConfigFileError(configFile, `tls_server_config.${key}: cannot read ${file}: ${err.reason}`);
  }
}

/** Reads and validates a web config file; throws ConfigError / WebConfigFileError (exit 2). */
export function loadWebConfig(file: string): WebConfig {
  const parsed = readYamlFile(file, webConfigSchema(path.dirname(path.resolve(file))));
  const t = parsed.tls_server_config;
  const tls: TlsSettings | null = t
    ? {
        cert: readPem(file, 'cert_file', t.cert_file),
        key: readPem(file, 'key_file', t.key_file),
        ...(t.client_ca_file ? { ca: readPem(file, 'client_ca_file', t.client_ca_file) } : {}),
        clientAuth: t.client_auth_type,
        minVersion: tlsVersions[t.min_version],
        ...(t.max_version ? { maxVersion: tlsVersions[t.max_version] } : {}),
      }
    : null;
  return {
    tls,
    users: new Map(Object.entries(parsed.basic_auth_users ?? {})),
    headers: parsed.http_server_config?.headers ?? {},
  };
}
