-- Partial unique indexes: only the rows their WHERE clause accepts are unique. Soft deletes,
-- flags, a status literal, a key column inside its own predicate, and two keys steered by the
-- same column.
CREATE TABLE account (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE plan (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES account, code text NOT NULL);

CREATE TABLE role (
    id bigserial PRIMARY KEY,
    admin boolean DEFAULT false NOT NULL,
    name text NOT NULL
);
CREATE UNIQUE INDEX role_single_admin ON role (admin) WHERE admin;

CREATE TABLE threshold (
    id bigserial PRIMARY KEY,
    plan_id uuid REFERENCES plan,
    recurring boolean DEFAULT false NOT NULL,
    deleted_at timestamp without time zone
);
CREATE UNIQUE INDEX threshold_recurring ON threshold (plan_id, recurring) WHERE ((recurring IS TRUE) AND (plan_id IS NOT NULL));
CREATE UNIQUE INDEX threshold_plan_live ON threshold (plan_id) WHERE (deleted_at IS NULL);

CREATE TABLE integration_default (
    id bigserial PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES account,
    category text NOT NULL CHECK (category IN ('crm', 'tax', 'accounting')),
    is_default boolean DEFAULT false NOT NULL
);
CREATE UNIQUE INDEX integration_default_one ON integration_default (account_id, category) WHERE is_default;

CREATE TABLE job (
    id bigserial PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES account,
    state character varying NOT NULL CHECK ((state)::text = ANY ((ARRAY['queued', 'running', 'done', 'failed'])::text[])),
    kind character varying NOT NULL
);
CREATE UNIQUE INDEX job_one_running ON job (account_id) WHERE ((state)::text = 'running'::text);
