/**
 * Returns a connection URL safe to log: the password replaced by *** (postgres://user:***@host/db).
 * A string that is not a URL comes back with any `//user:password@` part masked all the same.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return redactCredentials(url);
  }
}

/**
 * Masks credentials in free text (an error message): any `scheme://user:password@` part, and every
 * occurrence of the given secrets (the password of the configured URL, which a driver message may
 * quote without the URL around it).
 */
export function redactCredentials(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/(\/\/[^/\s:@]*):[^@\s/]*@/g, "$1:***@");
  for (const secret of secrets) if (secret.length >= 3) out = out.replaceAll(secret, "***");
  return out;
}

/** The password of a connection URL (decoded), or undefined when it has none or cannot be parsed. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === "" ? undefined : password;
  } catch {
    return undefined;
  }
}
