/** Every page has a URL: the history API, with links intercepted at the document. */

export interface Route {
  readonly name: RouteName;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

const PATTERNS = {
  dashboard: '/',
  login: '/login',
  orders: '/orders',
  // Before the order's pattern, which would take `new` for a number.
  phoneOrder: '/orders/new',
  order: '/orders/:number',
  inventory: '/inventory',
  transfers: '/inventory/transfers',
  levelHistory: '/inventory/history',
  bins: '/inventory/bins',
  fulfilment: '/fulfilment',
  pickList: '/fulfilment/pick-lists/:id',
  shipments: '/fulfilment/shipments',
  returns: '/returns',
  return: '/returns/:id',
  purchasing: '/purchasing',
  planning: '/planning',
  customers: '/customers',
  messages: '/messages',
  catalogue: '/catalogue',
  sku: '/catalogue/:code',
  reports: '/reports',
  settings: '/settings',
} as const;

export type RouteName = keyof typeof PATTERNS | 'notFound';

/** Addresses pages had before, still followed from staff's bookmarks: [then, now]. */
const MOVED: ReadonlyArray<readonly [string, string]> = [['/fulfillment', '/fulfilment']];

/** The location's path, moved in the address bar to where its page is now. */
function currentPath(location: Location): string {
  for (const [then, now] of MOVED) {
    if (location.pathname === then || location.pathname.startsWith(`${then}/`)) {
      const path = now + location.pathname.slice(then.length);
      history.replaceState(null, '', path + location.search);
      return path;
    }
  }
  return location.pathname;
}

function match(location: Location): Route {
  const query = new URLSearchParams(location.search);
  const parts = currentPath(location).split('/').filter(Boolean);
  for (const [name, pattern] of Object.entries(PATTERNS) as [RouteName, string][]) {
    const expected = pattern.split('/').filter(Boolean);
    if (expected.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = expected.every((segment, index) => {
      const actual = decodeURIComponent(parts[index] ?? '');
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = actual;
        return true;
      }
      return segment === actual;
    });
    if (fits) return { name, params, query };
  }
  return { name: 'notFound', params: {}, query };
}

class Router {
  route = $state<Route>(match(window.location));

  navigate(href: string, options: { replace?: boolean } = {}): void {
    if (options.replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    this.route = match(window.location);
    window.scrollTo(0, 0);
  }

  /** Changes the query string in place (filters, pages), keeping the history short. */
  setQuery(values: Record<string, string | null>): void {
    const query = new URLSearchParams(window.location.search);
    for (const [key, value] of Object.entries(values)) {
      if (value === null || value === '') query.delete(key);
      else query.set(key, value);
    }
    const search = query.toString();
    this.navigate(`${window.location.pathname}${search ? `?${search}` : ''}`, { replace: true });
  }

  /** A filter changed: the list starts again from its first page. */
  filter(values: Record<string, string | null>): void {
    this.setQuery({ ...values, after: null, before: null });
  }

  /** The cursor page the URL names (after= or before=), `size` rows of it. */
  page(size: number): { first: number; after: string | null } | { last: number; before: string } {
    const before = this.route.query.get('before');
    return before ? { last: size, before } : { first: size, after: this.route.query.get('after') };
  }

  listen(): () => void {
    const popped = () => (this.route = match(window.location));
    const clicked = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const anchor = (event.target as Element | null)?.closest('a');
      if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
      const url = new URL(anchor.href, window.location.href);
      if (url.origin !== window.location.origin) return;
      event.preventDefault();
      this.navigate(url.pathname + url.search);
    };
    window.addEventListener('popstate', popped);
    document.addEventListener('click', clicked);
    return () => {
      window.removeEventListener('popstate', popped);
      document.removeEventListener('click', clicked);
    };
  }
}

export const router = new Router();
