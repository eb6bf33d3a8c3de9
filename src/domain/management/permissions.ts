import type { ApiConfig } from '../../config/config.js';
import type { Application, User, UserPatch } from '../../store/store.js';
import { forbidden } from './management-error.js';

// Who may do what, in one place. Admins may do everything; approvers decide subscriptions to the
// APIs of the groups they approve for; everyone else (app developers) manages only the
// applications they own and those applications' subscriptions. Every check reads the actor as
// stored at the time of the request, so a role taken away stops working at once.

export function isAdmin(actor: User): boolean {
  return actor.admin;
}

export function ownsApplication(actor: User, application: Application): boolean {
  return application.ownerIds.includes(actor.id);
}

/** Approver of the API's group; an API without a group is decided by admins only. */
export function approvesFor(actor: User, api: ApiConfig): boolean {
  return api.group !== null && actor.approverOf.includes(api.group);
}

export function mayDecideSubscription(actor: User, api: ApiConfig): boolean {
  return isAdmin(actor) || approvesFor(actor, api);
}

export function mayManageApplication(actor: User, application: Application): boolean {
  return isAdmin(actor) || ownsApplication(actor, application);
}

/** The APIs whose subscriptions the actor may decide (all of them for an admin). */
export function decidableApis(actor: User, apis: readonly ApiConfig[]): readonly ApiConfig[] {
  return apis.filter((api) => mayDecideSubscription(actor, api));
}

export function requireAdmin(actor: User, action: string): void {
  if (!isAdmin(actor)) throw forbidden(`only an admin may ${action}`);
}

/** The approval queue is for those who decide: admins and approvers of at least one group. */
export function requireSomeDecider(actor: User): void {
  if (!isAdmin(actor) && actor.approverOf.length === 0) throw forbidden('only admins and approvers have an approval queue');
}

export function requireSelfOrAdmin(actor: User, userId: string, action: string): void {
  if (actor.id !== userId && !isAdmin(actor)) throw forbidden(`only an admin or the user themself may ${action}`);
}

export function requireApplicationManager(actor: User, application: Application): void {
  if (!mayManageApplication(actor, application)) throw forbidden('only an admin or an owner of the application may do this');
}

export function requireDecider(actor: User, api: ApiConfig): void {
  if (mayDecideSubscription(actor, api)) return;
  throw forbidden(
    api.group === null
      ? `only an admin may decide subscriptions to API "${api.id}" (it belongs to no group)`
      : `only an admin or an approver of group "${api.group}" may decide subscriptions to API "${api.id}"`,
  );
}

const ROLE_FIELDS = ['admin', 'approverOf', 'groups', 'disabled'] as const satisfies readonly (keyof UserPatch)[];

/**
 * Users edit their own profile; roles, groups and the disabled flag are an admin's to change, and
 * never on their own record: nobody raises (or, by mistake, drops) their own role.
 */
export function requireUserPatchAllowed(actor: User, target: User, patch: UserPatch): void {
  const touchesRoles = ROLE_FIELDS.some((field) => patch[field] !== undefined);
  if (actor.id === target.id) {
    if (touchesRoles) throw forbidden('nobody may change their own roles, groups or disabled flag');
    return;
  }
  if (!isAdmin(actor)) throw forbidden("only an admin may change another user's account");
}
