import { createClient, type Client } from 'graphql-ws';
import { GRAPHQL_URL, GRAPHQL_WS_URL } from '../lib/config';
import type { Operation } from '../lib/graphql/client';

/**
 * The customer page speaks to the API as a customer: no staff session, only the order's token
 * (from the link in the mail, after '#', so it never reaches a server's log).
 */
export function tokenFromLink(): string {
  return decodeURIComponent(window.location.hash.replace(/^#/, '')).trim();
}

export class CustomerError extends Error {}

interface Answer<Result> {
  data?: Result | null;
  errors?: { message: string }[];
}

export async function ask<Result, Variables>(
  document: Operation<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: document.body, variables }),
    });
  } catch {
    throw new CustomerError('We cannot reach the shop just now. Please try again in a moment.');
  }
  const answer = (await response.json().catch(() => ({}))) as Answer<Result>;
  if (answer.errors?.length || answer.data == null) {
    throw new CustomerError(answer.errors?.[0]?.message ?? `The shop answered ${response.status}.`);
  }
  return answer.data;
}

let socket: Client | null = null;

/** Follows a subscription until the returned function is called, across reconnections. */
export function listen<Result, Variables extends Record<string, unknown>>(
  document: Operation<Result, Variables>,
  variables: Variables,
  next: (data: Result) => void,
  cursor?: (data: Result) => string | null,
): () => void {
  socket ??= createClient({
    url: GRAPHQL_WS_URL,
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** retries))),
  });
  // Sent again on every reconnection: moving `after` on in place resumes where it stopped.
  const payload = { query: document.body, variables: { ...variables } as Record<string, unknown> };
  return socket.subscribe<Result>(payload, {
    next: (message) => {
      if (!message.data) return;
      const seen = cursor?.(message.data);
      if (seen) payload.variables.after = seen;
      next(message.data);
    },
    error: () => {},
    complete: () => {},
  });
}
