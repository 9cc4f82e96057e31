import { operation } from '../lib/graphql/client';
import type { CustomersQuery, CustomersQueryVariables } from '../lib/graphql/types';
import customers from './Customers.graphql?raw';

export const Customers = operation<CustomersQuery, CustomersQueryVariables>(customers);
