-- Partitioned tables dumped without their partitions: the application creates them at run time
-- (by month, by hash bucket, by tenant), so the dump has the parents alone. One table has a
-- partition that is itself partitioned, by hash, without partitions of its own.
CREATE TABLE tenant (id bigserial PRIMARY KEY, name text NOT NULL);

CREATE TABLE event (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL REFERENCES tenant,
    occurred_at timestamp with time zone NOT NULL,
    payload jsonb,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);

CREATE TABLE usage_record (
    tenant_id bigint NOT NULL REFERENCES tenant,
    region text NOT NULL CHECK (region IN ('eu', 'us', 'ap')),
    units integer NOT NULL
) PARTITION BY LIST (region);

CREATE TABLE session_token (
    token uuid NOT NULL PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenant
) PARTITION BY HASH (token);

CREATE TABLE ledger (
    id bigint NOT NULL,
    booked_on date NOT NULL,
    account text NOT NULL,
    amount numeric(12,2) NOT NULL
) PARTITION BY RANGE (booked_on);
CREATE TABLE ledger_all PARTITION OF ledger FOR VALUES FROM (MINVALUE) TO (MAXVALUE) PARTITION BY HASH (account);
