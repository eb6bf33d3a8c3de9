import { describe } from 'node:test';
import { applicationStoreSuite } from './conformance/applications.js';
import { auditStoreSuite } from './conformance/audit.js';
import { authorizationStoreSuite } from './conformance/authorizations.js';
import { basicsSuite } from './conformance/basics.js';
import type { OpenStore } from './conformance/harness.js';
import { rotationSuite } from './conformance/rotation.js';
import { subscriptionStoreSuite } from './conformance/subscriptions.js';
import { tokenStoreSuite } from './conformance/tokens.js';
import { userStoreSuite } from './conformance/users.js';

export type { OpenedStore, OpenStore } from './conformance/harness.js';

/**
 * The behaviour every Store backend must show (src/store/store.ts). Each test opens a fresh,
 * empty store with `open` and calls its `cleanup` afterwards, pass or fail.
 */
export function storeConformanceSuite(name: string, open: OpenStore): void {
  describe(`Store conformance: ${name}`, () => {
    basicsSuite(open);
    userStoreSuite(open);
    applicationStoreSuite(open);
    subscriptionStoreSuite(open);
    tokenStoreSuite(open);
    rotationSuite(open);
    auditStoreSuite(open);
    authorizationStoreSuite(open);
  });
}
