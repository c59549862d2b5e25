-- CHECKs that keep values on a grid: whole months, hours and ISO weeks, multiples of 5, of 15
-- (unique) and of a quarter unit of currency. Random values almost never land on them.
CREATE TABLE team (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE budget (
    id serial PRIMARY KEY,
    team_id integer NOT NULL REFERENCES team,
    month date NOT NULL CHECK (month = date_trunc('month', month)),
    amount integer NOT NULL CHECK (amount % 5 = 0),
    price numeric(10,2) CHECK (mod(price, 0.25) = 0),
    starts_at timestamp without time zone NOT NULL CHECK (starts_at = date_trunc('hour', starts_at)),
    slot integer NOT NULL UNIQUE CHECK ((slot % 15) = 0),
    week_of date CHECK (week_of = date_trunc('week', week_of)),
    quarter_at timestamp with time zone CHECK (date_trunc('quarter', quarter_at) = quarter_at)
);
CREATE UNIQUE INDEX budget_team_month ON budget (team_id, month);
