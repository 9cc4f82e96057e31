import { operation } from '../lib/graphql/client';
import type * as Types from '../lib/graphql/types';
import adjustInventory from './AdjustInventory.graphql?raw';
import inventoryChanged from './InventoryChanged.graphql?raw';
import inventoryLevels from './InventoryLevels.graphql?raw';
import moveInventoryState from './MoveInventoryState.graphql?raw';
import receiveInventory from './ReceiveInventory.graphql?raw';
import setSafetyStock from './SetSafetyStock.graphql?raw';
import transferInventory from './TransferInventory.graphql?raw';

export const InventoryLevels = operation<
  Types.InventoryLevelsQuery,
  Types.InventoryLevelsQueryVariables
>(inventoryLevels);
export const InventoryChanged = operation<
  Types.InventoryChangedSubscription,
  Types.InventoryChangedSubscriptionVariables
>(inventoryChanged);
export const ReceiveInventory = operation<
  Types.ReceiveInventoryMutation,
  Types.ReceiveInventoryMutationVariables
>(receiveInventory);
export const AdjustInventory = operation<
  Types.AdjustInventoryMutation,
  Types.AdjustInventoryMutationVariables
>(adjustInventory);
export const TransferInventory = operation<
  Types.TransferInventoryMutation,
  Types.TransferInventoryMutationVariables
>(transferInventory);
export const SetSafetyStock = operation<
  Types.SetSafetyStockMutation,
  Types.SetSafetyStockMutationVariables
>(setSafetyStock);
export const MoveInventoryState = operation<
  Types.MoveInventoryStateMutation,
  Types.MoveInventoryStateMutationVariables
>(moveInventoryState);

export type Level = Types.InventoryLevelsQuery['inventoryLevels']['nodes'][number];
export type Location = Types.InventoryLevelsQuery['locations']['nodes'][number];
