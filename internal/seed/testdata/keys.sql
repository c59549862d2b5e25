-- Keys written for the seeder's tests: a junction table filled to its last combination, unique
-- keys that hold only where a WHERE clause says (soft-deleted rows, one active pin per person).

CREATE TABLE public.person (
    id bigint PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE public.team (
    id integer PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE public.membership (
    person_id bigint NOT NULL REFERENCES public.person,
    team_id integer NOT NULL REFERENCES public.team,
    role text NOT NULL CHECK (role IN ('member', 'lead')),
    PRIMARY KEY (person_id, team_id)
);

CREATE TABLE public.seat (
    id bigserial PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES public.person,
    team_id integer NOT NULL REFERENCES public.team,
    created_at timestamp with time zone NOT NULL,
    deleted_at timestamp with time zone
);

CREATE UNIQUE INDEX seat_one_per_team ON public.seat USING btree (person_id, team_id) WHERE (deleted_at IS NULL);

CREATE TABLE public.pin (
    id bigserial PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES public.person,
    active boolean NOT NULL,
    label text
);

CREATE UNIQUE INDEX pin_one_active ON public.pin USING btree (person_id) WHERE active;
