import { redactStoreUrl } from '@rollout/core';

const SECRET_PARAMS = /^(password|passwd|pass|pwd|secret|token|key|auth|sslkey|sslpassword)$/i;

/**
 * Remembers the secrets of URLs given on the command line (passwords, secret
 * query parameters) and removes them from any text before it is printed: error
 * messages from drivers sometimes echo a connection string.
 */
export class SecretScrubber {
  private readonly replacements: [string, string][] = [];

  /** Protects the secrets of `url` (a store URL or --from). */
  protectUrl(url: string): void {
    const redacted = redactStoreUrl(url);
    if (redacted !== url) this.replacements.push([url, redacted]);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      const match = /\/\/[^/@:]*:([^/@]+)@/.exec(url);
      if (match?.[1]) this.addSecret(match[1]);
      return;
    }
    if (parsed.password) this.addSecret(parsed.password);
    for (const [key, value] of parsed.searchParams)
      if (SECRET_PARAMS.test(key)) this.addSecret(value);
  }

  private addSecret(secret: string): void {
    const forms = new Set([secret]);
    try {
      forms.add(decodeURIComponent(secret));
    } catch {
      // Not percent-encoded; the raw form is enough.
    }
    for (const form of forms) {
      // Very short secrets are replaced only where they sit in URL credentials, so
      // that ordinary words in messages are not garbled.
      if (form.length >= 4) this.replacements.push([form, '***']);
      else if (form.length > 0) this.replacements.push([`:${form}@`, ':***@']);
    }
  }

  /** `text` with every protected secret replaced by `***`. */
  scrub = (text: string): string => {
    let out = text;
    for (const [secret, replacement] of this.replacements)
      out = out.replaceAll(secret, replacement);
    return out;
  };
}
