export { LIFETIME_DAYS } from './authority.ts';
export {
  CRL_PATH,
  PKI_FILES,
  PROXY_NAME,
  RENEW_DAYS,
  crlUrl,
  ensureCertificate,
  renewalReason,
  type CertificateOutcome,
  type CertificateRequest,
} from './certificate.ts';
