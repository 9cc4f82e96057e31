import { operation } from '../lib/graphql/client';
import type * as Types from '../lib/graphql/types';
import cancelPurchaseOrder from './CancelPurchaseOrder.graphql?raw';
import createPurchaseOrder from './CreatePurchaseOrder.graphql?raw';
import createSupplier from './CreateSupplier.graphql?raw';
import orderPurchaseOrder from './OrderPurchaseOrder.graphql?raw';
import purchaseOrders from './PurchaseOrders.graphql?raw';
import receivePurchaseOrder from './ReceivePurchaseOrder.graphql?raw';

export const PurchaseOrders = operation<Types.PurchaseOrdersQuery, Types.PurchaseOrdersQueryVariables>(purchaseOrders);
export const CreateSupplier = operation<Types.CreateSupplierMutation, Types.CreateSupplierMutationVariables>(createSupplier);
export const CreatePurchaseOrder = operation<Types.CreatePurchaseOrderMutation, Types.CreatePurchaseOrderMutationVariables>(createPurchaseOrder);
export const OrderPurchaseOrder = operation<Types.OrderPurchaseOrderMutation, Types.OrderPurchaseOrderMutationVariables>(orderPurchaseOrder);
export const ReceivePurchaseOrder = operation<Types.ReceivePurchaseOrderMutation, Types.ReceivePurchaseOrderMutationVariables>(receivePurchaseOrder);
export const CancelPurchaseOrder = operation<Types.CancelPurchaseOrderMutation, Types.CancelPurchaseOrderMutationVariables>(cancelPurchaseOrder);

export type PurchaseOrderRow = Types.PurchaseOrdersQuery['purchaseOrders']['nodes'][number];
