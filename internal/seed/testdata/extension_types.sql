-- Embedding columns of pgvector (vector(n), halfvec(n), sparsevec(n)), arrays of JSON documents,
-- and "one primary email per user" written as a unique index over a CASE that is NULL except
-- on the primary row.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE app_user (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE chunk (
    id bigserial PRIMARY KEY,
    embedding vector(384) NOT NULL,
    coarse halfvec(16),
    sparse sparsevec(1000),
    notes jsonb[] NOT NULL
);
CREATE TABLE email (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app_user,
    address text NOT NULL,
    "primary" boolean DEFAULT false NOT NULL
);
CREATE UNIQUE INDEX email_one_primary ON email (user_id, (CASE WHEN "primary" THEN true ELSE NULL::boolean END));
