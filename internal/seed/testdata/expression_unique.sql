-- Unique indexes on expressions: case-folded emails and names within a namespace, COALESCE of
-- a nullable parent (NULL counts as a value there), and one key whose expression collapses
-- values (a day), which distinct timestamps alone would not satisfy.
CREATE TABLE namespace (id bigserial PRIMARY KEY, path text NOT NULL);
CREATE UNIQUE INDEX namespace_path_lower ON namespace (lower(path));

CREATE TABLE person (
    id bigserial PRIMARY KEY,
    email character varying(80) NOT NULL,
    name text NOT NULL,
    namespace_id bigint REFERENCES namespace,
    parent_id bigint REFERENCES person
);
CREATE UNIQUE INDEX person_email_lower ON person (lower((email)::text));
CREATE UNIQUE INDEX person_name_in_namespace ON person (lower(name), namespace_id);
CREATE UNIQUE INDEX person_name_under_parent ON person (COALESCE(parent_id, (0)::bigint), name);

CREATE TABLE daily_report (
    id bigserial PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES person,
    reported_at timestamp with time zone NOT NULL,
    body text
);
CREATE UNIQUE INDEX daily_report_one_per_day ON daily_report (person_id, date_trunc('day'::text, reported_at AT TIME ZONE 'UTC'));
