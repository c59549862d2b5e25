-- Types written for the seeder's tests: contrib extension types, network and bit types, money,
-- ranges and multiranges, intervals, arrays of enums and of domains with CHECKs, XML, JSON whose
-- shape follows the column, and a search column derived from the row's own text.

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA public;

CREATE TYPE public.mood AS ENUM ('happy', 'sad', 'calm');

CREATE DOMAIN public.sku_code AS text
	CONSTRAINT sku_code_check CHECK ((VALUE ~ '^[A-Z]{3}-[0-9]{3}$'::text));

CREATE DOMAIN public.small_even AS integer
	CONSTRAINT small_even_check CHECK ((((VALUE % 2) = 0) AND (VALUE >= 2) AND (VALUE <= 40)));

CREATE TABLE public.item (
    id bigserial PRIMARY KEY,
    title text NOT NULL,
    description text,
    search tsvector NOT NULL,
    attrs public.hstore NOT NULL,
    path public.ltree NOT NULL,
    contact public.citext,
    ip inet NOT NULL,
    net cidr NOT NULL,
    mac macaddr NOT NULL,
    mac8 macaddr8,
    price money NOT NULL,
    flags bit(12) NOT NULL,
    vflags bit varying(80),
    span int4range NOT NULL,
    period tstzrange,
    days datemultirange NOT NULL,
    amounts nummultirange,
    waited interval NOT NULL,
    moods public.mood[] NOT NULL,
    codes public.sku_code[] NOT NULL,
    evens public.small_even[],
    doc xml NOT NULL,
    metadata jsonb NOT NULL,
    shipping_address jsonb,
    settings json,
    tags jsonb NOT NULL
);
