import type { Config, SignUpMode } from '../../config/config.js';
import { StoreConflictError, type Store, type User } from '../../store/store.js';
import type { LoginThrottle } from '../brute-force/login-throttle.js';
import { passwordProblem } from '../password-policy.js';
import type { PasswordHasher } from '../passwords.js';
import { auditBase, type ManagementContext } from './management-context.js';
import { conflict, forbidden, invalidRequest, ManagementError, notFound } from './management-error.js';
import { requireAdmin } from './permissions.js';

// Self sign-up of local accounts (config portal.signUp). Without e-mail, Gatehouse cannot prove
// that the person signing up owns the address, nor tell them privately that it is taken; so,
// as products that verify by e-mail do, the answer never says whether the address was new
// (OWASP Authentication Cheat Sheet, "Account creation"): a taken address gets the very answer
// a new one gets, after the same password hash. What remains, and is documented: in `open` mode
// whoever signs up with a taken address learns it by failing to sign in with the password they
// chose — the same they would learn by guessing at the sign-in form, which the lockout covers.
// In `approval` mode an admin sees every request before an account works.

export const SIGN_UP_EVENT = {
  requested: 'user.sign_up_requested',
  signedUp: 'user.signed_up',
  approved: 'user.sign_up_approved',
  declined: 'user.sign_up_declined',
} as const;

export interface SignUpInput {
  readonly email: string;
  readonly name?: string;
  readonly password: string;
}

export interface SignUpServices {
  readonly store: Pick<Store, 'users'>;
  readonly passwords: PasswordHasher;
  readonly loginThrottle: Pick<LoginThrottle, 'admitSignUp'>;
  readonly mode: SignUpMode;
  readonly now: number;
  readonly ip: string | null;
}

/** The one answer to every accepted sign-up, new address or taken. */
export interface SignUpReceipt {
  readonly mode: 'open' | 'approval';
  readonly message: string;
}

const RECEIPTS: Readonly<Record<'open' | 'approval', string>> = {
  open: 'Thank you. If this email address was not registered yet, its account is ready: sign in with it. If it was, sign in with its existing password, or ask an administrator to reset it.',
  approval: 'Thank you: your request has been received. If this email address was not registered yet, an administrator will review the request; you can sign in once it is approved.',
};

/** Sign-up makes accounts of the `local` auth method: closed when the config has none. */
export function signUpMode(config: Pick<Config, 'authMethods' | 'portal'>): SignUpMode {
  return config.authMethods.some((method) => method.kind === 'local') ? (config.portal?.signUp ?? 'closed') : 'closed';
}

export async function signUp(services: SignUpServices, input: SignUpInput): Promise<SignUpReceipt> {
  const { mode } = services;
  if (mode === 'closed') throw forbidden('sign-up is closed: ask an administrator for an account');
  const throttled = await services.loginThrottle.admitSignUp(services.ip, services.now);
  if (throttled) {
    throw new ManagementError('too_many_requests', 'too many sign-ups and sign-ins from this address: try again later', { retryAfterSeconds: throttled.retryAfterSeconds });
  }
  const problem = passwordProblem(input.password);
  if (problem) throw invalidRequest(`password ${problem}`);
  // Hashed whether or not the address is taken: the answer takes as long either way.
  const passwordHash = await services.passwords.hash(input.password);
  const pending = mode === 'approval';
  const user = {
    authMethod: 'local',
    email: input.email.toLowerCase(),
    name: input.name ?? null,
    passwordHash,
    pending,
  };
  const event = { type: pending ? SIGN_UP_EVENT.requested : SIGN_UP_EVENT.signedUp, at: services.now, ip: services.ip, details: { mode } };
  try {
    await services.store.users.create(user, services.now, event);
  } catch (error) {
    if (!(error instanceof StoreConflictError)) throw error;
  }
  return { mode, message: RECEIPTS[mode] };
}

/** Admins decide sign-ups: an approved account can sign in at once; a declined one is deleted. */
export async function decideSignUp(context: ManagementContext, userId: string, decision: 'approve' | 'decline'): Promise<User> {
  requireAdmin(context.actor, 'decide sign-ups');
  const target = await context.store.users.findById(userId);
  if (!target) throw notFound(`user ${userId}`);
  if (!target.pending) throw conflict('this user is not awaiting approval');
  const type = decision === 'approve' ? SIGN_UP_EVENT.approved : SIGN_UP_EVENT.declined;
  const decided = await context.store.users.decideSignUp(userId, decision, context.now, {
    ...auditBase(context, type),
    details: { email: target.email },
  });
  if (!decided) throw conflict('this sign-up has been decided meanwhile');
  return decided;
}
