import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { MAX_PASSWORD_LENGTH } from '../../domain/password-policy.js';
import { decideSignUp, signUp, signUpMode } from '../../domain/management/sign-up.js';
import type { Services } from '../services.js';
import { addManagementRoute, PROBLEM_RESPONSES } from './management-route.js';
import { Id, ref } from './schemas.js';
import { userView } from './views.js';

// /api/v1/sign-up: self sign-up of a local account, open to anyone when portal.signUp allows it
// (domain/management/sign-up.ts says why the answer never tells whether the address was taken);
// and the admin's decision on a sign-up awaiting approval.

const SignUpBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
  },
  { additionalProperties: false },
);

const SignUpReceipt = Type.Object({
  mode: Type.Union([Type.Literal('open'), Type.Literal('approval')], { description: 'open: the account works at once; approval: an admin decides first' }),
  message: Type.String({ description: 'the same for a new and a taken address' }),
});

export function signUpRoutes(app: FastifyInstance, services: Services): void {
  app.post('/sign-up', {
    schema: {
      tags: ['sign-in'],
      summary: 'Sign up for a local account (no sign-in needed; only when portal.signUp is open or approval)',
      description:
        'Answers 202 with the same body whether or not the address was registered already (no account enumeration). ' +
        'Each attempt counts against the client address like a failed sign-in (429 with Retry-After past the limit). ' +
        'In approval mode the account cannot sign in until an admin approves it. 403 when sign-up is closed.',
      security: [],
      body: SignUpBody,
      response: { 202: SignUpReceipt, ...PROBLEM_RESPONSES },
    },
    handler: async (request, reply) => {
      const receipt = await signUp(
        {
          store: services.store,
          passwords: services.passwords,
          loginThrottle: services.loginThrottle,
          mode: signUpMode(services.config),
          now: services.now(),
          ip: request.ip,
        },
        request.body as Type.Static<typeof SignUpBody>,
      );
      return reply.code(202).send(receipt);
    },
  });
  for (const decision of ['approve', 'decline'] as const) {
    addManagementRoute(app, services, {
      method: 'POST', url: `/users/:userId/sign-up/${decision}`, tag: 'users',
      summary: decision === 'approve' ? 'Approve a sign-up awaiting approval: the account can sign in (admin)' : 'Decline a sign-up awaiting approval: the account is deleted (admin)',
      params: Type.Object({ userId: Id }), response: ref('User'),
      handle: async (context, { params }) => userView(await decideSignUp(context, params.userId, decision)),
    });
  }
}
