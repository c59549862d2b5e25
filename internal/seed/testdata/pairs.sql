-- Two foreign keys to one parent that a CHECK compares: nobody follows themselves, a similarity
-- is stored once with the smaller key first (UUID keys compare bytewise), a unique index over
-- both. And a table that holds one row only (a unique index on a constant).
CREATE TABLE person (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE follow (
    user_id uuid NOT NULL REFERENCES person,
    follower_id uuid NOT NULL REFERENCES person,
    muted boolean DEFAULT false,
    CONSTRAINT no_self_follow CHECK ((user_id <> follower_id))
);
CREATE UNIQUE INDEX follow_pair ON follow (user_id, follower_id);
CREATE TABLE similarity (
    a_id uuid NOT NULL REFERENCES person,
    b_id uuid NOT NULL REFERENCES person,
    score real NOT NULL,
    CONSTRAINT different CHECK ((a_id <> b_id)),
    CONSTRAINT ordered CHECK ((a_id < b_id)),
    PRIMARY KEY (a_id, b_id)
);
CREATE TABLE site_totals (id serial PRIMARY KEY, users bigint NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX site_totals_one_row ON site_totals ((true));
