-- The writes of one 2-line placeOrder in plain SQL: two conditional reservations, the order,
-- two lines, two allocations, two ledger rows, the payment and its transaction, one event.
\set a random(1, 200)
\set b :a % 200 + 1
BEGIN;
UPDATE inventory_level SET reserved = reserved + 1, version = version + 1
 WHERE location_id = 1 AND sku_id = :a AND on_hand - reserved - safety_stock >= 1;
UPDATE inventory_level SET reserved = reserved + 1, version = version + 1
 WHERE location_id = 1 AND sku_id = :b AND on_hand - reserved - safety_stock >= 1;
WITH o AS (
  INSERT INTO sales_order (channel_id, customer_id, email, status, payment_status, fulfilment_status,
    currency, subtotal, shipping_total, tax_total, total, shipping_speed, ship_name, ship_line1, ship_city,
    ship_postal_code, ship_country, placed_at, tracking_token_hash, routing_decision, version, updated_at)
  VALUES (1, 1, 'bench@example.com', 'CONFIRMED', 'AUTHORIZED', 'UNFULFILLED', 'EUR', 2000, 390, 454, 2844,
    'STANDARD', 'B', 'x', 'Potsdam', '14467', 'DE', now(), md5(random()::text) || md5(random()::text), '{}', 0, now())
  RETURNING id
), l AS (
  INSERT INTO order_line (order_id, sku_id, quantity, unit_price, quantity_allocated, quantity_backordered,
    quantity_fulfilled, quantity_cancelled, quantity_returned, created_at)
  SELECT o.id, s, 1, 1000, 1, 0, 0, 0, 0, now() FROM o, unnest(ARRAY[:a, :b]) AS s
  RETURNING id, order_id, sku_id
), a AS (
  INSERT INTO allocation (order_id, order_line_id, location_id, sku_id, quantity, status, reason, created_at)
  SELECT order_id, id, 1, sku_id, 1, 'RESERVED', 'bench', now() FROM l RETURNING id
), m AS (
  INSERT INTO inventory_movement (location_id, sku_id, bucket, kind, quantity, reference, actor, created_at)
  SELECT 1, sku_id, 'reserved', 'reservation', 1, 'bench', 'bench', now() FROM l RETURNING id
), p AS (
  INSERT INTO payment (order_id, provider, method, currency, amount_authorized, amount_captured, amount_refunded,
    authorization_reference, voided, created_at)
  SELECT id, 'test', 'card', 'EUR', 2844, 0, 0, 'auth', false, now() FROM o RETURNING id
), t AS (
  INSERT INTO payment_transaction (payment_id, kind, amount, succeeded, provider_reference, created_at)
  SELECT id, 'AUTHORIZE', 2844, true, 'auth', now() FROM p RETURNING id
)
INSERT INTO event (occurred_at, type, aggregate_type, aggregate_id, actor, payload, transaction_id)
SELECT now(), 'ORDER_PLACED', 'order', o.id, 'bench', '{}', pg_current_xact_id()::text::bigint FROM o;
COMMIT;
