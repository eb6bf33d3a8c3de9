import type { ApiConfig } from '../../config/config.js';
import type { Store, User } from '../../store/store.js';
import { PORTAL_API_ID, PORTAL_API_NAME } from '../portal-sign-in.js';

// What people recognise records by: a user's name and email, an application's, API's and plan's
// name, next to the ids that lists and the audit log hold. One batched lookup per page (never
// one per row); a record deleted meanwhile, or an API gone from the config, has no name (null).

/** A user as a list shows them; never a hash or a role. */
export interface UserRef {
  readonly id: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly username: string | null;
}

export const userRef = (user: User): UserRef => ({ id: user.id, name: user.name, email: user.email, username: user.username });

const present = (ids: readonly (string | null | undefined)[]): string[] => [...new Set(ids.filter((id): id is string => typeof id === 'string'))];

export async function userRefs(store: Pick<Store, 'users'>, ids: readonly (string | null | undefined)[]): Promise<ReadonlyMap<string, UserRef>> {
  const wanted = present(ids);
  const users = wanted.length ? await store.users.findByIds(wanted) : [];
  return new Map(users.map((user) => [user.id, userRef(user)]));
}

export async function applicationNames(store: Pick<Store, 'applications'>, ids: readonly (string | null | undefined)[]): Promise<ReadonlyMap<string, string>> {
  const wanted = present(ids);
  const applications = wanted.length ? await store.applications.findByIds(wanted) : [];
  return new Map(applications.map((application) => [application.id, application.name]));
}

/** The built-in API (the portal's and the CLI's sign-ins) is not in `config.apis` but has a name too. */
export function apiName(apis: readonly ApiConfig[], apiId: string | null): string | null {
  if (apiId === PORTAL_API_ID) return PORTAL_API_NAME;
  return apis.find((api) => api.id === apiId)?.name ?? null;
}

export function planName(apis: readonly ApiConfig[], apiId: string, planId: string): string | null {
  return apis.find((api) => api.id === apiId)?.plans.find((plan) => plan.id === planId)?.name ?? null;
}
