import { request, type Operation } from './graphql/client';
import { messageOf } from './query.svelte';

export interface UserError {
  readonly field: readonly string[] | null;
  readonly message: string;
  readonly code: string;
}

interface WithUserErrors {
  readonly userErrors: readonly UserError[];
}

/**
 * A command a form sends: its userErrors (shown by UserErrors) or the request's failure,
 * and whether it is on its way (the form's button waits).
 *
 * `idempotencyKey` is the form's key for commands that take one: kept while the form is
 * resubmitted (a lost answer, a second click), so the command happens once; a new one once
 * the command went through.
 */
export class Mutation<Result, Variables, Payload extends WithUserErrors> {
  errors = $state<readonly UserError[]>([]);
  pending = $state(false);
  idempotencyKey = $state(crypto.randomUUID());

  constructor(
    private readonly document: Operation<Result, Variables>,
    private readonly payloadOf: (result: Result) => Payload,
  ) {}

  /** The payload when the command went through, else null (and `errors` says why). */
  async send(variables: Variables): Promise<Payload | null> {
    this.pending = true;
    this.errors = [];
    try {
      const payload = this.payloadOf(await request(this.document, variables));
      this.errors = payload.userErrors;
      if (payload.userErrors.length) return null;
      this.idempotencyKey = crypto.randomUUID();
      return payload;
    } catch (error) {
      this.errors = [{ field: null, message: messageOf(error), code: 'REQUEST_FAILED' }];
      return null;
    } finally {
      this.pending = false;
    }
  }
}
