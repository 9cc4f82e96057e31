import { GRAPHQL_URL } from '../config';
import { session } from '../session.svelte';

/**
 * An operation as written in its .graphql file, typed by the generated result and variables.
 * The text is sent exactly as registered, so its SHA-256 is the one `oms trusted-documents`
 * records for it.
 */
export interface Operation<Result, Variables> {
  readonly body: string;
  /** Never set: carries the types. */
  readonly types?: { result: Result; variables: Variables };
}

export function operation<Result, Variables>(body: string): Operation<Result, Variables> {
  return { body };
}

/** The request failed as a whole: network, authorisation, or a GraphQL error. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

interface GraphQLResponse<Result> {
  data?: Result | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function request<Result, Variables>(
  document: Operation<Result, Variables>,
  variables: Variables,
  signal?: AbortSignal,
): Promise<Result> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  let response: Response;
  try {
    response = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: document.body, variables }),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new RequestError('The server cannot be reached. Is the API running?', 'NETWORK');
  }
  let body: GraphQLResponse<Result>;
  try {
    body = (await response.json()) as GraphQLResponse<Result>;
  } catch {
    throw new RequestError(`The server answered ${response.status} without a GraphQL body.`);
  }
  const [error] = body.errors ?? [];
  if (error) {
    const code = error.extensions?.code ?? null;
    if (code === 'UNAUTHENTICATED') session.signOut();
    throw new RequestError(error.message, code);
  }
  if (body.data == null) throw new RequestError(`The server answered ${response.status} with no data.`);
  return body.data;
}
