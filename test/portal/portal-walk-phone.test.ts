import { walkSuite } from './walk-suite.js';

// The developer portal's whole walk on a phone (390×844): test/portal/walk-suite.ts.

await walkSuite('phone');
