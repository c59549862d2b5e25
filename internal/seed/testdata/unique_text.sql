-- Unique indexes on free text: a member's display name, a board's short name and a badge's
-- title must be distinct, and names must still read as names, at any row count.
CREATE TABLE member (
    id bigserial PRIMARY KEY,
    display_name character varying DEFAULT ''::character varying NOT NULL,
    email character varying NOT NULL,
    bio text
);
CREATE UNIQUE INDEX member_display_name_idx ON member USING btree (display_name);
CREATE UNIQUE INDEX member_email_idx ON member USING btree (email);

CREATE TABLE board (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    short_name character varying(40) NOT NULL
);
CREATE UNIQUE INDEX board_short_name_idx ON board USING btree (short_name);

CREATE TABLE badge (
    id serial PRIMARY KEY,
    title text NOT NULL UNIQUE,
    label character varying(6) NOT NULL UNIQUE
);
