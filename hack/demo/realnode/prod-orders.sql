-- Prod's orders database for `make demo` on a real node: the schema of
-- config/samples/dev-envs.yaml (customers, products, orders, order_items) with rows whose
-- values are recognisably prod's (every email ends in @prod-shop.example), and the read-only
-- role the MirrorEnvironment's DSN uses. Loaded once by hack/demo.sh.
\set ON_ERROR_STOP on
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'delivered', 'refunded');
CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  full_name text NOT NULL,
  country_code character(2) NOT NULL,
  referred_by bigint REFERENCES customers(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE products (
  sku text PRIMARY KEY,
  name text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  currency character(3) NOT NULL DEFAULT 'EUR'
);
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  status order_status NOT NULL DEFAULT 'pending',
  total_cents integer NOT NULL,
  placed_at timestamptz NOT NULL
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE TABLE order_items (
  order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_no integer NOT NULL,
  sku text NOT NULL REFERENCES products(sku),
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price_cents integer NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
INSERT INTO customers (email, full_name, country_code, referred_by)
  SELECT 'customer' || g || '@prod-shop.example', 'Prod Customer ' || g, (ARRAY['DE','FR','NL','US'])[1 + g % 4],
         CASE WHEN g > 10 THEN 1 + g % 10 END
  FROM generate_series(1, 1200) g;
INSERT INTO products SELECT 'SKU-' || g, 'Prod product ' || g, 100 * g, 'EUR' FROM generate_series(1, 80) g;
INSERT INTO orders (customer_id, status, total_cents, placed_at)
  SELECT 1 + g % 1200, (ARRAY['pending','paid','shipped','delivered']::order_status[])[1 + g % 4], 1000 + g,
         timestamptz '2025-01-01' + g * interval '1 hour'
  FROM generate_series(1, 6000) g;
INSERT INTO order_items SELECT o, l, 'SKU-' || (1 + (o + l) % 80), 1 + l, 250 FROM generate_series(1, 6000) o, generate_series(1, 3) l;
ANALYZE;
CREATE ROLE envmirror_reader LOGIN PASSWORD 'FAKE-prod-reader-password-k2Vq';
GRANT pg_read_all_data TO envmirror_reader;
