import { operation } from '../lib/graphql/client';
import type { KpisQuery, KpisQueryVariables } from '../lib/graphql/types';
import kpis from './Kpis.graphql?raw';

export const Kpis = operation<KpisQuery, KpisQueryVariables>(kpis);
