import type { NewUser, Page, PageRequest, User, UserPatch } from '../../store/store.js';
import { StoreConflictError } from '../../store/store.js';
import { passwordProblem } from '../password-policy.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import type { ManagementContext } from './management-context.js';
import { conflict, invalidRequest, notFound } from './management-error.js';
import { requireAdmin, requireSelfOrAdmin, requireUserPatchAllowed } from './permissions.js';

// Users of the local auth method, managed by admins; users edit their own profile and password.
// Disabling, deleting and a new password end the user's logins first (revokeFamilies is the hook
// the gateway's revocation fan-out listens on; the deletes after it cascade silently).

export interface NewUserInput {
  readonly email?: string | null;
  readonly username?: string | null;
  readonly name?: string | null;
  readonly password?: string;
  readonly groups?: readonly string[];
  readonly admin?: boolean;
  readonly approverOf?: readonly string[];
}

function checkGroups(context: ManagementContext, groups: readonly string[] | undefined, field: string): void {
  const known = new Set(context.config.groups.map((group) => group.id));
  const unknown = groups?.find((group) => !known.has(group));
  if (unknown !== undefined) throw invalidRequest(`${field}: unknown group "${unknown}" (declared: ${[...known].join(', ') || 'none'})`, field);
}

async function findUser(context: ManagementContext, userId: string): Promise<User> {
  const user = await context.store.users.findById(userId);
  if (!user) throw notFound(`user ${userId}`);
  return user;
}

function taken(error: unknown): never {
  if (error instanceof StoreConflictError) throw conflict('a user with this email or username already exists');
  throw error;
}

export function listUsers(context: ManagementContext, page: PageRequest, filter: { readonly pending?: boolean } = {}): Promise<Page<User>> {
  requireAdmin(context.actor, 'list users');
  return context.store.users.list(page, filter);
}

export async function createUser(context: ManagementContext, input: NewUserInput): Promise<User> {
  requireAdmin(context.actor, 'create users');
  if (!input.email && !input.username) throw invalidRequest('a user needs an email or a username to sign in with', 'email');
  checkGroups(context, input.groups, 'groups');
  checkGroups(context, input.approverOf, 'approverOf');
  let passwordHash: string | null = null;
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) throw invalidRequest(`password ${problem}`, 'password');
    passwordHash = await context.passwords.hash(input.password);
  }
  const user: NewUser = {
    authMethod: 'local',
    email: input.email?.toLowerCase() ?? null,
    username: input.username ?? null,
    name: input.name ?? null,
    passwordHash,
    groups: input.groups ?? [],
    admin: input.admin ?? false,
    approverOf: input.approverOf ?? [],
  };
  const created = await context.store.users.create(user, context.now).catch(taken);
  await recordManagementEvent(context, MANAGEMENT_EVENT.userCreated, { userId: created.id }, { admin: created.admin, approverOf: created.approverOf });
  return created;
}

export async function getUser(context: ManagementContext, userId: string): Promise<User> {
  requireSelfOrAdmin(context.actor, userId, 'read this user');
  return findUser(context, userId);
}

async function refuseLosingLastAdmin(context: ManagementContext, target: User): Promise<void> {
  if (target.admin && !target.disabled && (await context.store.users.countAdmins()) <= 1) {
    throw conflict('this is the last admin: make another admin first');
  }
}

export async function updateUser(context: ManagementContext, userId: string, patch: UserPatch): Promise<User> {
  const target = await findUser(context, userId);
  requireUserPatchAllowed(context.actor, target, patch);
  if (target.pending && patch.disabled !== undefined) throw conflict('this user awaits approval of their sign-up: approve or decline it instead');
  checkGroups(context, patch.groups, 'groups');
  checkGroups(context, patch.approverOf, 'approverOf');
  if ((patch.admin === false || patch.disabled === true) && target.admin) await refuseLosingLastAdmin(context, target);
  const disabling = patch.disabled === true && !target.disabled;
  if (disabling) await context.store.tokens.revokeFamilies({ userId }, 'user_disabled', context.now);
  const normalised = patch.email ? { ...patch, email: patch.email.toLowerCase() } : patch;
  const updated = await context.store.users.update(userId, normalised, context.now).catch(taken);
  if (!updated) throw notFound(`user ${userId}`);
  await recordManagementEvent(context, MANAGEMENT_EVENT.userUpdated, { userId }, { fields: Object.keys(patch), disabled: updated.disabled });
  return updated;
}

export async function deleteUser(context: ManagementContext, userId: string): Promise<void> {
  requireAdmin(context.actor, 'delete users');
  const target = await findUser(context, userId);
  if (target.id === context.actor.id) throw conflict('you cannot delete your own account');
  await refuseLosingLastAdmin(context, target);
  await context.store.tokens.revokeFamilies({ userId }, 'user_deleted', context.now);
  await context.store.users.delete(userId);
  await recordManagementEvent(context, MANAGEMENT_EVENT.userDeleted, { userId }, { email: target.email, username: target.username });
}

/**
 * A user changes their own password by proving the current one (a stolen session alone must not
 * be enough to take over the account); an admin resets anyone else's without it.
 */
export async function setPassword(
  context: ManagementContext,
  userId: string,
  input: { readonly password: string; readonly currentPassword?: string },
): Promise<void> {
  requireSelfOrAdmin(context.actor, userId, "set this user's password");
  const target = await findUser(context, userId);
  if (target.authMethod !== 'local') throw conflict(`the password of this user is kept by auth method "${target.authMethod}"`);
  if (target.id === context.actor.id) {
    const current = input.currentPassword ?? '';
    const verified = target.passwordHash !== null && (await context.passwords.verify(target.passwordHash, current)).valid;
    if (!verified) throw invalidRequest('currentPassword is wrong or missing', 'currentPassword');
  }
  const problem = passwordProblem(input.password);
  if (problem) throw invalidRequest(`password ${problem}`, 'password');
  const passwordHash = await context.passwords.hash(input.password);
  await context.store.tokens.revokeFamilies({ userId }, 'password_changed', context.now);
  await context.store.users.setPasswordHash(userId, passwordHash, context.now);
  await recordManagementEvent(context, MANAGEMENT_EVENT.passwordChanged, { userId }, { reset: target.id !== context.actor.id });
}
