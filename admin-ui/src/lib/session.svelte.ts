import type { Permission, ViewerQuery } from './graphql/types';

const TOKEN_KEY = 'oms.token';

type Viewer = NonNullable<ViewerQuery['viewer']>;

/** The signed-in member of staff: the token (kept across reloads) and what it may do. */
class Session {
  token = $state<string | null>(localStorage.getItem(TOKEN_KEY));
  viewer = $state<Viewer | null>(null);

  signIn(token: string): void {
    localStorage.setItem(TOKEN_KEY, token);
    this.token = token;
  }

  signOut(): void {
    localStorage.removeItem(TOKEN_KEY);
    this.token = null;
    this.viewer = null;
  }

  can(permission: Permission): boolean {
    return this.viewer?.permissions.includes(permission) ?? false;
  }
}

export const session = new Session();
