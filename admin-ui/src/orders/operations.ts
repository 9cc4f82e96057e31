import { operation } from '../lib/graphql/client';
import type * as Types from '../lib/graphql/types';
import cancelOrder from './CancelOrder.graphql?raw';
import holdOrder from './HoldOrder.graphql?raw';
import issueRefund from './IssueRefund.graphql?raw';
import order from './Order.graphql?raw';
import orderEvents from './OrderEvents.graphql?raw';
import orderUpdated from './OrderUpdated.graphql?raw';
import orders from './Orders.graphql?raw';
import releaseOrderHold from './ReleaseOrderHold.graphql?raw';
import editOrder from './EditOrder.graphql?raw';

export const Orders = operation<Types.OrdersQuery, Types.OrdersQueryVariables>(orders);
export const Order = operation<Types.OrderQuery, Types.OrderQueryVariables>(order);
export const OrderEvents = operation<
  Types.OrderEventsSubscription,
  Types.OrderEventsSubscriptionVariables
>(orderEvents);
export const OrderUpdated = operation<
  Types.OrderUpdatedSubscription,
  Types.OrderUpdatedSubscriptionVariables
>(orderUpdated);
export const CancelOrder = operation<
  Types.CancelOrderMutation,
  Types.CancelOrderMutationVariables
>(cancelOrder);
export const HoldOrder = operation<Types.HoldOrderMutation, Types.HoldOrderMutationVariables>(
  holdOrder,
);
export const ReleaseOrderHold = operation<
  Types.ReleaseOrderHoldMutation,
  Types.ReleaseOrderHoldMutationVariables
>(releaseOrderHold);
export const EditOrder = operation<Types.EditOrderMutation, Types.EditOrderMutationVariables>(
  editOrder,
);
export const IssueRefund = operation<
  Types.IssueRefundMutation,
  Types.IssueRefundMutationVariables
>(issueRefund);

export type OrderDetail = NonNullable<Types.OrderQuery['order']>;
