-- One-to-one relations through a unique nullable foreign key: more children than parents, so
-- every parent is used once and the other children have none. And exclusive arcs: a row points
-- at exactly one (or at most one) of several parents.
CREATE TABLE customer (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE wallet (id bigserial PRIMARY KEY, name text NOT NULL);

CREATE TABLE profile (
    id bigserial PRIMARY KEY,
    customer_id bigint REFERENCES customer,
    headline text
);
CREATE UNIQUE INDEX profile_customer ON profile (customer_id);

CREATE TABLE card (
    id bigserial PRIMARY KEY,
    customer_id bigint UNIQUE REFERENCES customer,
    number text NOT NULL
);

CREATE TABLE alert (
    id bigserial PRIMARY KEY,
    customer_id bigint REFERENCES customer,
    wallet_id bigint REFERENCES wallet,
    CONSTRAINT alert_customer_xor_wallet CHECK ((customer_id IS NOT NULL) <> (wallet_id IS NOT NULL))
);

CREATE TABLE report (
    id bigserial PRIMARY KEY,
    customer_id bigint REFERENCES customer,
    wallet_id bigint REFERENCES wallet,
    profile_id bigint REFERENCES profile,
    reason text NOT NULL,
    CONSTRAINT report_one_target CHECK (num_nonnulls(customer_id, wallet_id, profile_id) <= 1),
    CONSTRAINT report_some_target CHECK ((customer_id IS NOT NULL) OR (wallet_id IS NOT NULL) OR (profile_id IS NOT NULL))
);
