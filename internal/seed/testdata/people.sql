-- Accounts, their subscriptions and invoices, written for the seeder's tests: names, emails and
-- usernames with no unique index (people still expect them distinct and about the same person),
-- spans (starts/ends, valid from/until, period start/end), and rows created after their parents.

CREATE TABLE public.account (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name character varying(40) NOT NULL,
    last_name character varying(40) NOT NULL,
    email character varying(80) NOT NULL,
    username text NOT NULL,
    slug text NOT NULL,
    api_token text,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone,
    deleted_at timestamp with time zone
);

CREATE TABLE public.subscription (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES public.account,
    starts_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone,
    valid_from date NOT NULL,
    valid_until date,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.invoice (
    id bigserial PRIMARY KEY,
    subscription_id bigint NOT NULL REFERENCES public.subscription,
    created_at timestamp with time zone NOT NULL,
    period_start date,
    period_end date
);
