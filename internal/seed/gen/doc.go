// Package gen holds the value generators. A plan describes each column by a Recipe; every loading
// goroutine instantiates its own generators from the recipes. Every value is a function of
// (seed, table, column, row number), so the same schema, counts and seed give the same bytes
// however the work is scheduled, and a child row computes its parent's key without reading it.
package gen
