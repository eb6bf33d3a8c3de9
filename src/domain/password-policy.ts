// What a new password must be. NIST SP 800-63B §5.1.1.2: at least 8 characters, allow at least
// 64, no composition rules. The upper bound keeps a hash request from becoming a CPU weapon.

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

/** Why `password` cannot be set, or null when it can. */
export function passwordProblem(password: string): string | null {
  const length = [...password.normalize('NFKC')].length;
  if (length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'must not contain control characters';
  return null;
}
