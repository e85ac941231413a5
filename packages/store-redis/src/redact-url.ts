/**
 * A URL as it may appear in an error message or a log: the password replaced by
 * `***`. Anything that does not parse is replaced entirely (it might be a secret).
 */
export function redactUrl(url: string | URL): string {
  try {
    const copy = new URL(String(url));
    if (copy.password !== '') copy.password = '***';
    return copy.href;
  } catch {
    return '(unparsable URL)';
  }
}
