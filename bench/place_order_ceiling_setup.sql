-- A scratch catalogue for the pgbench ceiling: one channel, one customer, two locations,
-- 200 SKUs with more stock than any run can reserve.
INSERT INTO channel (code, name, created_at) VALUES ('web', 'Web', now());
INSERT INTO customer (email, name, created_at) VALUES ('bench@example.com', 'Bench', now());
INSERT INTO location (code, name, line1, city, postal_code, country, latitude, longitude, ships, priority, created_at)
VALUES ('BER', 'Berlin', 'x', 'Berlin', '10115', 'DE', 52.52, 13.4, true, 1, now()),
       ('MUC', 'Munich', 'x', 'Munich', '80331', 'DE', 48.1, 11.6, true, 2, now());
INSERT INTO product (name, created_at) VALUES ('Bench', now());
INSERT INTO sku (product_id, code, name, price, currency, unit_cost, weight_grams, allow_backorder, active, created_at, updated_at)
SELECT 1, 'SKU-' || n, 'SKU ' || n, 1000, 'EUR', 400, 100, false, true, now(), now() FROM generate_series(1, 200) AS n;
INSERT INTO inventory_level (location_id, sku_id, on_hand, reserved, incoming, damaged, quality_control, safety_stock, version, updated_at)
SELECT location.id, sku.id, 100000000, 0, 0, 0, 0, 0, 0, now() FROM location CROSS JOIN sku;
