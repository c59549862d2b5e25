-- CHECKs written for the seeder's tests: conditions the planner reads itself (SIMILAR TO,
-- lengths in characters and bytes, array sizes, excluded values, domains) and conditions only
-- the server can judge (an OR across shapes, CASE, the schema's own functions, a lookahead,
-- a domain CHECK with arithmetic), plus one that nothing can meet.

CREATE TYPE public.film_kind AS ENUM ('feature', 'short', 'series');

CREATE FUNCTION public.valid_sku(s text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT s ~ '^[A-Z]{3}-[0-9]{4}$' AND substr(s, 5, 1) <> '0' $$;

CREATE DOMAIN public.positive_count AS integer
	CONSTRAINT positive_count_check CHECK ((VALUE > 0));

CREATE DOMAIN public.even_percent AS integer
	CONSTRAINT even_percent_check CHECK ((((VALUE % 2) = 0) AND (VALUE >= 0) AND (VALUE <= 100)));

CREATE DOMAIN public.hex_color AS text
	CONSTRAINT hex_color_check CHECK ((VALUE ~ '^#[0-9a-f]{6}$'::text));

CREATE DOMAIN public.short_code AS character varying(12)
	CONSTRAINT short_code_check CHECK (((char_length((VALUE)::text) >= 4) AND (char_length((VALUE)::text) <= 12)));

CREATE TABLE public.film (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL CHECK (length(title) BETWEEN 2 AND 60),
    rating text NOT NULL CHECK (rating LIKE 'PG%' OR rating = ANY (ARRAY['G', 'R', 'NC-17'])),
    sku text NOT NULL CHECK (public.valid_sku(sku)),
    code text NOT NULL CHECK (code SIMILAR TO '[A-Z]{2}(-[0-9]{3})+'),
    handle text NOT NULL CHECK (handle ~ '^[a-z]+(?=-)[a-z-]*$'),
    kind public.film_kind NOT NULL CHECK (kind <> 'series'),
    minutes integer NOT NULL CHECK (CASE kind WHEN 'short' THEN minutes < 40 ELSE minutes >= 40 END),
    tags text[] NOT NULL CHECK (cardinality(tags) BETWEEN 1 AND 3),
    dims integer[] CHECK (array_ndims(dims) = 1 AND array_length(dims, 1) = 3),
    banned text CHECK (NOT (banned = ANY (ARRAY['spam', 'scam']))),
    region text NOT NULL CHECK (region NOT IN ('xx', 'zz')) CHECK (region ~ '^[a-z]{2}$'),
    note character varying(40) CHECK (octet_length(note) <= 20 AND length(note) >= 5),
    seats public.positive_count NOT NULL,
    share public.even_percent NOT NULL,
    color public.hex_color NOT NULL,
    short public.short_code NOT NULL,
    secret text CHECK (md5(secret) = '0123456789abcdef0123456789abcdef')
);
