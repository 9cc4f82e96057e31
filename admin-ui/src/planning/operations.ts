import { operation } from '../lib/graphql/client';
import type * as Types from '../lib/graphql/types';
import orderReplenishment from './OrderReplenishment.graphql?raw';
import planning from './Planning.graphql?raw';
import transferRebalancing from './TransferRebalancing.graphql?raw';

export const Planning = operation<Types.PlanningQuery, Types.PlanningQueryVariables>(planning);
export const OrderReplenishment = operation<Types.OrderReplenishmentMutation, Types.OrderReplenishmentMutationVariables>(orderReplenishment);
export const TransferRebalancing = operation<Types.TransferRebalancingMutation, Types.TransferRebalancingMutationVariables>(transferRebalancing);

export type Replenishment = Types.PlanningQuery['replenishmentSuggestions'][number];
export type Rebalancing = Types.PlanningQuery['rebalancingSuggestions'][number];
