import { operation } from '../lib/graphql/client';
import type * as Types from '../lib/graphql/types';
import confirmPicks from './ConfirmPicks.graphql?raw';
import createPickList from './CreatePickList.graphql?raw';
import packShipment from './PackShipment.graphql?raw';
import pickList from './PickList.graphql?raw';
import pickLists from './PickLists.graphql?raw';
import shipShipment from './ShipShipment.graphql?raw';

export const PickLists = operation<Types.PickListsQuery, Types.PickListsQueryVariables>(pickLists);
export const PickList = operation<Types.PickListQuery, Types.PickListQueryVariables>(pickList);
export const CreatePickList = operation<
  Types.CreatePickListMutation,
  Types.CreatePickListMutationVariables
>(createPickList);
export const ConfirmPicks = operation<
  Types.ConfirmPicksMutation,
  Types.ConfirmPicksMutationVariables
>(confirmPicks);
export const PackShipment = operation<
  Types.PackShipmentMutation,
  Types.PackShipmentMutationVariables
>(packShipment);
export const ShipShipment = operation<
  Types.ShipShipmentMutation,
  Types.ShipShipmentMutationVariables
>(shipShipment);

export type PickListDetail = Extract<
  NonNullable<Types.PickListQuery['node']>,
  { __typename?: 'PickList'; tasks: unknown }
>;
