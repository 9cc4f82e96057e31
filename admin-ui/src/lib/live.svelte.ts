import { createClient, type Client } from 'graphql-ws';
import { untrack } from 'svelte';
import { GRAPHQL_WS_URL } from './config';
import type { Operation } from './graphql/client';
import { session } from './session.svelte';

const FORBIDDEN = 4403;

export type LinkState = 'idle' | 'connecting' | 'live' | 'reconnecting';

/**
 * The one WebSocket every live view shares, and whether it is up (shown in the header). It
 * opens with the first subscription and closes after the last: idle on pages without one.
 */
class Link {
  state = $state<LinkState>('idle');
  private following = 0;
  private client: Client | null = null;
  private clientToken: string | null = null;
  private reconnected = new Set<() => void>();

  get(): Client {
    if (this.client && this.clientToken === session.token) return this.client;
    this.client?.dispose();
    this.clientToken = session.token;
    this.client = createClient({
      url: GRAPHQL_WS_URL,
      connectionParams: () => ({ authorization: `Bearer ${session.token ?? ''}` }),
      lazy: true,
      keepAlive: 10_000,
      // The API restarting is routine: keep trying, at most every 5 s; refused credentials
      // (4403) are not, and end the session instead.
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (event) => {
        const refused = (event as { code?: number } | null)?.code === FORBIDDEN;
        if (refused) session.signOut();
        return !refused;
      },
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** retries))),
      on: {
        connected: (_socket, _payload, wasRetry) => {
          this.state = 'live';
          if (wasRetry) for (const listener of this.reconnected) listener();
        },
        closed: () => {
          this.state = this.following > 0 ? 'reconnecting' : 'idle';
        },
      },
    });
    return this.client;
  }

  /** Counts a view's subscription while it lasts; returns the function that ends it. */
  hold(unsubscribe: () => void): () => void {
    this.following += 1;
    if (this.state === 'idle') this.state = 'connecting';
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.following -= 1;
      unsubscribe();
    };
  }

  /** Called after the link comes back: views that cannot resume from a cursor reload. */
  onReconnect(listener: () => void): () => void {
    this.reconnected.add(listener);
    return () => this.reconnected.delete(listener);
  }

  dispose(): void {
    this.client?.dispose();
    this.client = null;
  }
}

export const link = new Link();

interface Following<Result> {
  next: (data: Result) => void;
  /** The event cursor a result carries: a reconnection resumes after it, missing nothing. */
  cursor?: (data: Result) => string | null;
  error?: (message: string) => void;
}

/** Subscribes until the returned function is called; resumes from the last cursor seen. */
export function follow<Result, Variables extends { after?: string | null }>(
  document: Operation<Result, Variables>,
  variables: Variables,
  following: Following<Result>,
): () => void {
  // graphql-ws sends this same payload again on every reconnection: moving `after` forward
  // in place makes the server replay exactly what the socket missed.
  const payload = { query: document.body, variables: { ...variables } };
  // Views call this from an effect: the link's own state must not become its dependency, or
  // every reconnection would start the subscription over from its first variables.
  const unsubscribe = untrack(() => link.get()).subscribe<Result>(payload, {
    next: (message) => {
      if (message.errors?.length) {
        following.error?.(message.errors.map((error) => error.message).join('; '));
        return;
      }
      if (!message.data) return;
      const cursor = following.cursor?.(message.data);
      if (cursor) payload.variables.after = cursor;
      following.next(message.data);
    },
    error: (error) => following.error?.(error instanceof Error ? error.message : String(error)),
    complete: () => {},
  });
  return untrack(() => link.hold(unsubscribe));
}
