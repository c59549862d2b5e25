--
-- PostgreSQL database dump
--

\restrict 4Dnh5T60nQE6KZhtqhBL3BJ0xIKWw70LNSDome9s7MxOtq2ooNMAbxyylCVkk8m

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: shop; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA shop;


--
-- Name: SCHEMA shop; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA shop IS 'storefront tables';


--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;


--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';


--
-- Name: address_kind; Type: TYPE; Schema: shop; Owner: -
--

CREATE TYPE shop.address_kind AS ENUM (
    'billing',
    'shipping'
);


--
-- Name: email_address; Type: DOMAIN; Schema: shop; Owner: -
--

CREATE DOMAIN shop.email_address AS character varying(254)
	CONSTRAINT email_address_check CHECK (((VALUE)::text ~ '^[^@\s]+@[^@\s]+$'::text));


--
-- Name: money_amount; Type: DOMAIN; Schema: shop; Owner: -
--

CREATE DOMAIN shop.money_amount AS numeric(12,2)
	CONSTRAINT money_amount_check CHECK ((VALUE >= (0)::numeric));


--
-- Name: order_status; Type: TYPE; Schema: shop; Owner: -
--

CREATE TYPE shop.order_status AS ENUM (
    'pending',
    'paid',
    'shipped',
    'delivered',
    'cancelled',
    'refunded'
);


--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: shop; Owner: -
--

CREATE FUNCTION shop.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: audit_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events (
    id bigint NOT NULL,
    actor_id bigint,
    action text NOT NULL,
    payload json,
    raw bytea,
    occurred_at timestamp without time zone NOT NULL,
    duration interval,
    client_mac macaddr,
    CONSTRAINT audit_events_action_check CHECK ((action = ANY (ARRAY['login'::text, 'logout'::text, 'purchase'::text, 'refund'::text])))
);


--
-- Name: audit_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_events_id_seq OWNED BY public.audit_events.id;


--
-- Name: addresses; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.addresses (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    kind shop.address_kind DEFAULT 'shipping'::shop.address_kind NOT NULL,
    street character varying(120) NOT NULL,
    city character varying(80) NOT NULL,
    state character varying(80),
    postcode character varying(12) NOT NULL,
    country_code character(2) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: addresses_id_seq; Type: SEQUENCE; Schema: shop; Owner: -
--

CREATE SEQUENCE shop.addresses_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: addresses_id_seq; Type: SEQUENCE OWNED BY; Schema: shop; Owner: -
--

ALTER SEQUENCE shop.addresses_id_seq OWNED BY shop.addresses.id;


--
-- Name: categories; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.categories (
    id integer NOT NULL,
    parent_id integer,
    name character varying(80) NOT NULL,
    slug character varying(80) NOT NULL,
    "position" smallint DEFAULT 0 NOT NULL,
    CONSTRAINT categories_position_check CHECK ((("position" >= 0) AND ("position" <= 1000)))
);


--
-- Name: categories_id_seq; Type: SEQUENCE; Schema: shop; Owner: -
--

CREATE SEQUENCE shop.categories_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: categories_id_seq; Type: SEQUENCE OWNED BY; Schema: shop; Owner: -
--

ALTER SEQUENCE shop.categories_id_seq OWNED BY shop.categories.id;


--
-- Name: customers; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.customers (
    id bigint NOT NULL,
    email shop.email_address NOT NULL,
    first_name character varying(60) NOT NULL,
    last_name character varying(60) NOT NULL,
    full_name text GENERATED ALWAYS AS ((((first_name)::text || ' '::text) || (last_name)::text)) STORED,
    phone character varying(32),
    default_address_id bigint,
    loyalty_points integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT customers_loyalty_points_check CHECK ((loyalty_points >= 0)),
    CONSTRAINT customers_updated_after_created CHECK ((updated_at >= created_at))
);


--
-- Name: TABLE customers; Type: COMMENT; Schema: shop; Owner: -
--

COMMENT ON TABLE shop.customers IS 'people who buy things';


--
-- Name: customers_id_seq; Type: SEQUENCE; Schema: shop; Owner: -
--

ALTER TABLE shop.customers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME shop.customers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: invoice_number_seq; Type: SEQUENCE; Schema: shop; Owner: -
--

CREATE SEQUENCE shop.invoice_number_seq
    START WITH 10000
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: order_items; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.order_items (
    order_id bigint NOT NULL,
    order_created_at timestamp with time zone NOT NULL,
    line_no integer NOT NULL,
    product_id uuid NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(10,2) NOT NULL,
    line_total numeric(12,2) GENERATED ALWAYS AS (((quantity)::numeric * unit_price)) STORED,
    CONSTRAINT order_items_line_no_check CHECK ((line_no > 0)),
    CONSTRAINT order_items_quantity_check CHECK (((quantity > 0) AND (quantity <= 50))),
    CONSTRAINT order_items_unit_price_check CHECK ((unit_price >= (0)::numeric))
);


--
-- Name: orders; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.orders (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    shipping_address_id bigint,
    status shop.order_status DEFAULT 'pending'::shop.order_status NOT NULL,
    invoice_number bigint DEFAULT nextval('shop.invoice_number_seq'::regclass) NOT NULL,
    total shop.money_amount NOT NULL,
    ip_address inet,
    notes text,
    created_at timestamp with time zone NOT NULL,
    shipped_at timestamp with time zone,
    CONSTRAINT orders_shipped_after_created CHECK ((shipped_at > created_at))
)
PARTITION BY RANGE (created_at);


--
-- Name: order_totals; Type: VIEW; Schema: shop; Owner: -
--

CREATE VIEW shop.order_totals AS
 SELECT o.customer_id,
    count(*) AS orders,
    sum((o.total)::numeric) AS spent
   FROM shop.orders o
  GROUP BY o.customer_id;


--
-- Name: orders_2023; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.orders_2023 (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    shipping_address_id bigint,
    status shop.order_status DEFAULT 'pending'::shop.order_status NOT NULL,
    invoice_number bigint DEFAULT nextval('shop.invoice_number_seq'::regclass) NOT NULL,
    total shop.money_amount NOT NULL,
    ip_address inet,
    notes text,
    created_at timestamp with time zone NOT NULL,
    shipped_at timestamp with time zone,
    CONSTRAINT orders_shipped_after_created CHECK ((shipped_at > created_at))
);


--
-- Name: orders_2024h1; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.orders_2024h1 (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    shipping_address_id bigint,
    status shop.order_status DEFAULT 'pending'::shop.order_status NOT NULL,
    invoice_number bigint DEFAULT nextval('shop.invoice_number_seq'::regclass) NOT NULL,
    total shop.money_amount NOT NULL,
    ip_address inet,
    notes text,
    created_at timestamp with time zone NOT NULL,
    shipped_at timestamp with time zone,
    CONSTRAINT orders_shipped_after_created CHECK ((shipped_at > created_at))
);


--
-- Name: orders_2024h2; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.orders_2024h2 (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    shipping_address_id bigint,
    status shop.order_status DEFAULT 'pending'::shop.order_status NOT NULL,
    invoice_number bigint DEFAULT nextval('shop.invoice_number_seq'::regclass) NOT NULL,
    total shop.money_amount NOT NULL,
    ip_address inet,
    notes text,
    created_at timestamp with time zone NOT NULL,
    shipped_at timestamp with time zone,
    CONSTRAINT orders_shipped_after_created CHECK ((shipped_at > created_at))
);


--
-- Name: orders_id_seq; Type: SEQUENCE; Schema: shop; Owner: -
--

ALTER TABLE shop.orders ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME shop.orders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: products; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.products (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    sku character varying(32) NOT NULL,
    name text NOT NULL,
    description text,
    category_id integer NOT NULL,
    price numeric(10,2) NOT NULL,
    sale_price numeric(10,2),
    currency character(3) DEFAULT 'EUR'::bpchar NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    weight_grams integer,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT products_currency_check CHECK ((currency = ANY (ARRAY['EUR'::bpchar, 'USD'::bpchar, 'GBP'::bpchar]))),
    CONSTRAINT products_price_check CHECK ((price >= (0)::numeric)),
    CONSTRAINT products_sale_below_price CHECK ((sale_price <= price)),
    CONSTRAINT products_weight_grams_check CHECK (((weight_grams > 0) AND (weight_grams < 100000)))
);


--
-- Name: reviews; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.reviews (
    id bigint NOT NULL,
    product_id uuid NOT NULL,
    customer_id bigint NOT NULL,
    rating smallint NOT NULL,
    title character varying(120),
    body text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT reviews_rating_check CHECK (((rating >= 1) AND (rating <= 5)))
);


--
-- Name: reviews_id_seq; Type: SEQUENCE; Schema: shop; Owner: -
--

ALTER TABLE shop.reviews ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME shop.reviews_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: orders_2023; Type: TABLE ATTACH; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders ATTACH PARTITION shop.orders_2023 FOR VALUES FROM ('2023-01-01 00:00:00+00') TO ('2024-01-01 00:00:00+00');


--
-- Name: orders_2024h1; Type: TABLE ATTACH; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders ATTACH PARTITION shop.orders_2024h1 FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-07-01 00:00:00+00');


--
-- Name: orders_2024h2; Type: TABLE ATTACH; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders ATTACH PARTITION shop.orders_2024h2 FOR VALUES FROM ('2024-07-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');


--
-- Name: audit_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ALTER COLUMN id SET DEFAULT nextval('public.audit_events_id_seq'::regclass);


--
-- Name: addresses id; Type: DEFAULT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.addresses ALTER COLUMN id SET DEFAULT nextval('shop.addresses_id_seq'::regclass);


--
-- Name: categories id; Type: DEFAULT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.categories ALTER COLUMN id SET DEFAULT nextval('shop.categories_id_seq'::regclass);


--
-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id);


--
-- Name: addresses addresses_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.addresses
    ADD CONSTRAINT addresses_pkey PRIMARY KEY (id);


--
-- Name: categories categories_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.categories
    ADD CONSTRAINT categories_pkey PRIMARY KEY (id);


--
-- Name: categories categories_slug_key; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.categories
    ADD CONSTRAINT categories_slug_key UNIQUE (slug);


--
-- Name: customers customers_email_key; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.customers
    ADD CONSTRAINT customers_email_key UNIQUE (email);


--
-- Name: customers customers_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);


--
-- Name: order_items order_items_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.order_items
    ADD CONSTRAINT order_items_pkey PRIMARY KEY (order_id, line_no);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id, created_at);


--
-- Name: orders_2023 orders_2023_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders_2023
    ADD CONSTRAINT orders_2023_pkey PRIMARY KEY (id, created_at);


--
-- Name: orders_2024h1 orders_2024h1_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders_2024h1
    ADD CONSTRAINT orders_2024h1_pkey PRIMARY KEY (id, created_at);


--
-- Name: orders_2024h2 orders_2024h2_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders_2024h2
    ADD CONSTRAINT orders_2024h2_pkey PRIMARY KEY (id, created_at);


--
-- Name: products products_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (id);


--
-- Name: products products_sku_key; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.products
    ADD CONSTRAINT products_sku_key UNIQUE (sku);


--
-- Name: reviews reviews_one_per_customer; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.reviews
    ADD CONSTRAINT reviews_one_per_customer UNIQUE (product_id, customer_id);


--
-- Name: reviews reviews_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.reviews
    ADD CONSTRAINT reviews_pkey PRIMARY KEY (id);


--
-- Name: customers_lower_email_idx; Type: INDEX; Schema: shop; Owner: -
--

CREATE UNIQUE INDEX customers_lower_email_idx ON shop.customers USING btree (lower((email)::text));


--
-- Name: orders_customer_idx; Type: INDEX; Schema: shop; Owner: -
--

CREATE INDEX orders_customer_idx ON ONLY shop.orders USING btree (customer_id);


--
-- Name: orders_2023_customer_id_idx; Type: INDEX; Schema: shop; Owner: -
--

CREATE INDEX orders_2023_customer_id_idx ON shop.orders_2023 USING btree (customer_id);


--
-- Name: orders_2024h1_customer_id_idx; Type: INDEX; Schema: shop; Owner: -
--

CREATE INDEX orders_2024h1_customer_id_idx ON shop.orders_2024h1 USING btree (customer_id);


--
-- Name: orders_2024h2_customer_id_idx; Type: INDEX; Schema: shop; Owner: -
--

CREATE INDEX orders_2024h2_customer_id_idx ON shop.orders_2024h2 USING btree (customer_id);


--
-- Name: orders_2023_customer_id_idx; Type: INDEX ATTACH; Schema: shop; Owner: -
--

ALTER INDEX shop.orders_customer_idx ATTACH PARTITION shop.orders_2023_customer_id_idx;


--
-- Name: orders_2023_pkey; Type: INDEX ATTACH; Schema: shop; Owner: -
--

ALTER INDEX shop.orders_pkey ATTACH PARTITION shop.orders_2023_pkey;


--
-- Name: orders_2024h1_customer_id_idx; Type: INDEX ATTACH; Schema: shop; Owner: -
--

ALTER INDEX shop.orders_customer_idx ATTACH PARTITION shop.orders_2024h1_customer_id_idx;


--
-- Name: orders_2024h1_pkey; Type: INDEX ATTACH; Schema: shop; Owner: -
--

ALTER INDEX shop.orders_pkey ATTACH PARTITION shop.orders_2024h1_pkey;


--
-- Name: orders_2024h2_customer_id_idx; Type: INDEX ATTACH; Schema: shop; Owner: -
--

ALTER INDEX shop.orders_customer_idx ATTACH PARTITION shop.orders_2024h2_customer_id_idx;


--
-- Name: orders_2024h2_pkey; Type: INDEX ATTACH; Schema: shop; Owner: -
--

ALTER INDEX shop.orders_pkey ATTACH PARTITION shop.orders_2024h2_pkey;


--
-- Name: products products_touch; Type: TRIGGER; Schema: shop; Owner: -
--

CREATE TRIGGER products_touch BEFORE UPDATE ON shop.products FOR EACH ROW EXECUTE FUNCTION shop.touch_updated_at();


--
-- Name: audit_events audit_events_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES shop.customers(id);


--
-- Name: addresses addresses_customer_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.addresses
    ADD CONSTRAINT addresses_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES shop.customers(id) ON DELETE CASCADE;


--
-- Name: categories categories_parent_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.categories
    ADD CONSTRAINT categories_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES shop.categories(id);


--
-- Name: customers customers_default_address_fk; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.customers
    ADD CONSTRAINT customers_default_address_fk FOREIGN KEY (default_address_id) REFERENCES shop.addresses(id) ON DELETE SET NULL;


--
-- Name: order_items order_items_order_fk; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.order_items
    ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id, order_created_at) REFERENCES shop.orders(id, created_at) ON DELETE CASCADE;


--
-- Name: order_items order_items_product_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.order_items
    ADD CONSTRAINT order_items_product_id_fkey FOREIGN KEY (product_id) REFERENCES shop.products(id);


--
-- Name: orders orders_customer_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE shop.orders
    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES shop.customers(id);


--
-- Name: orders orders_shipping_address_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE shop.orders
    ADD CONSTRAINT orders_shipping_address_id_fkey FOREIGN KEY (shipping_address_id) REFERENCES shop.addresses(id);


--
-- Name: products products_category_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.products
    ADD CONSTRAINT products_category_id_fkey FOREIGN KEY (category_id) REFERENCES shop.categories(id);


--
-- Name: reviews reviews_customer_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.reviews
    ADD CONSTRAINT reviews_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES shop.customers(id);


--
-- Name: reviews reviews_product_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.reviews
    ADD CONSTRAINT reviews_product_id_fkey FOREIGN KEY (product_id) REFERENCES shop.products(id);


--
-- PostgreSQL database dump complete
--

\unrestrict 4Dnh5T60nQE6KZhtqhBL3BJ0xIKWw70LNSDome9s7MxOtq2ooNMAbxyylCVkk8m

