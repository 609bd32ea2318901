/**
 * What a new host needs to become this prod again, in one file sealed with a passphrase: the env file (its
 * passwords, and the key the backups are encrypted with) and prod's own CA (so that browsers and clients that
 * trust it go on doing so). scrypt makes the key from the passphrase; AES-256-GCM seals and authenticates.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { z } from 'zod';
import { OperatorError } from '@chorus/errors';

/** The secrets of one environment. */
export const secretsContent = z.object({
  environment: z.string(),
  exportedAt: z.iso.datetime(),
  envFile: z.string(),
  /** prod's own CA (PEM), when it has made one. */
  ca: z.object({ certificate: z.string(), key: z.string() }).optional(),
});
export type SecretsContent = z.infer<typeof secretsContent>;

const sealed = z.object({
  format: z.literal('chorus-secrets/1'),
  kdf: z.object({ name: z.literal('scrypt'), N: z.number(), r: z.number(), p: z.number(), salt: z.string() }),
  cipher: z.literal('aes-256-gcm'),
  iv: z.string(),
  tag: z.string(),
  data: z.string(),
});

/** scrypt's cost: about 0.1 s and 64 MiB here, paid once per export or import. */
const KDF = { N: 2 ** 16, r: 8, p: 1 } as const;
/** A passphrase shorter than this is refused: the file may sit anywhere. */
export const MIN_PASSPHRASE = 12;

const keyFor = (passphrase: string, salt: Buffer, k: { N: number; r: number; p: number }) =>
  scryptSync(passphrase, salt, 32, { ...k, maxmem: 256 * 1024 * 1024 });

export function seal(content: SecretsContent, passphrase: string): string {
  if (passphrase.length < MIN_PASSPHRASE)
    throw new OperatorError(`the passphrase is too short: use at least ${MIN_PASSPHRASE} characters`, { exitCode: 2 });
  const [salt, iv] = [randomBytes(16), randomBytes(12)];
  const cipher = createCipheriv('aes-256-gcm', keyFor(passphrase, salt, KDF), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
  const file: z.infer<typeof sealed> = {
    format: 'chorus-secrets/1',
    kdf: { name: 'scrypt', ...KDF, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The content of a sealed file; refused (exit 2) when it is not one, or the passphrase does not open it. */
export function open(text: string, passphrase: string): SecretsContent {
  let file: z.infer<typeof sealed>;
  try {
    file = sealed.parse(JSON.parse(text));
  } catch {
    throw new OperatorError('this is not a secrets file made by make secrets-export-prod', { exitCode: 2 });
  }
  const { N, r, p, salt } = file.kdf;
  const decipher = createDecipheriv(
    'aes-256-gcm',
    keyFor(passphrase, Buffer.from(salt, 'base64'), { N, r, p }),
    Buffer.from(file.iv, 'base64'),
  );
  decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
  let plain: string;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new OperatorError('the passphrase does not open this secrets file (or the file was changed)', {
      exitCode: 2,
    });
  }
  return secretsContent.parse(JSON.parse(plain));
}
