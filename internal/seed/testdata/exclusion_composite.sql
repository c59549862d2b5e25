-- A booking app: rooms are never double-booked (EXCLUDE with btree_gist over a range column,
-- and over a range built from two columns), and composite types for an address and a price.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TYPE address AS (street character varying(80), city text, postcode character varying(10), country_code character(2));
CREATE TYPE money_amount AS (amount numeric(10,2), currency character(3));
CREATE TABLE room (id serial PRIMARY KEY, name text NOT NULL, location address);
CREATE TABLE booking (
    id bigserial PRIMARY KEY,
    room_id integer NOT NULL REFERENCES room,
    during tstzrange NOT NULL,
    guest text NOT NULL,
    price money_amount,
    EXCLUDE USING gist (room_id WITH =, during WITH &&)
);
CREATE TABLE shift (
    id bigserial PRIMARY KEY,
    room_id integer NOT NULL REFERENCES room,
    starts_at timestamp without time zone NOT NULL,
    ends_at timestamp without time zone NOT NULL,
    CONSTRAINT shift_order CHECK (ends_at > starts_at),
    CONSTRAINT shift_no_overlap EXCLUDE USING gist (room_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&) WHERE (room_id IS NOT NULL)
);
CREATE TABLE stay (id serial PRIMARY KEY, nights daterange NOT NULL, EXCLUDE USING gist (nights WITH &&));
