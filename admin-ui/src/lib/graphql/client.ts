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

/**
 * JSON, or, when a variable holds a file, a multipart request as the GraphQL multipart request
 * spec has it: the operation with the file's variable null, a map naming it, then the file.
 */
function bodyOf<Result, Variables>(document: Operation<Result, Variables>, variables: Variables): string | FormData {
  const files = Object.entries(variables as Record<string, unknown>).filter(
    (entry): entry is [string, File] => entry[1] instanceof File,
  );
  if (!files.length) return JSON.stringify({ query: document.body, variables });
  const form = new FormData();
  const nulled = { ...variables, ...Object.fromEntries(files.map(([name]) => [name, null])) };
  form.append('operations', JSON.stringify({ query: document.body, variables: nulled }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map(([name], index) => [String(index), [`variables.${name}`]]))));
  files.forEach(([, file], index) => form.append(String(index), file, file.name));
  return form;
}

export async function request<Result, Variables>(
  document: Operation<Result, Variables>,
  variables: Variables,
  signal?: AbortSignal,
): Promise<Result> {
  const headers: Record<string, string> = {
    accept: 'application/graphql-response+json, application/json',
  };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const body = bodyOf(document, variables);
  if (typeof body === 'string') headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(GRAPHQL_URL, { method: 'POST', headers, body, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new RequestError('The server cannot be reached. Is the API running?', 'NETWORK');
  }
  let answer: GraphQLResponse<Result>;
  try {
    answer = (await response.json()) as GraphQLResponse<Result>;
  } catch {
    throw new RequestError(`The server answered ${response.status} without a GraphQL body.`);
  }
  const [error] = answer.errors ?? [];
  if (error) {
    const code = error.extensions?.code ?? null;
    if (code === 'UNAUTHENTICATED') session.signOut();
    throw new RequestError(error.message, code);
  }
  if (answer.data == null) throw new RequestError(`The server answered ${response.status} with no data.`);
  return answer.data;
}
