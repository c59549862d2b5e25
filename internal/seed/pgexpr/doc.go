// Package pgexpr parses the small SQL expressions the catalog hands back: CHECK constraints as
// pg_get_constraintdef prints them (split into the conditions of their top-level AND, each kept
// with its text), index expressions, and partition bounds as pg_get_expr(relpartbound) prints
// them. Anything else is an error the caller treats as "not understood".
package pgexpr
