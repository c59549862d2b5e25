package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/load"
	"github.com/envmirror/envmirror/internal/seed/oracle"
	"github.com/envmirror/envmirror/internal/seed/plan"
)

// prepareSchema resets the database if asked and applies the schema, then returns a fresh
// connection: the schema's SET lines (search_path = ” and others) must not leak into seeding.
func prepareSchema(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn, o Options, schema string, ev *events) (*pgx.Conn, error) {
	start := time.Now()
	var version string
	var versionNum int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version'), current_setting('server_version_num')::int").
		Scan(&version, &versionNum); err != nil {
		return nil, err
	}
	if err := checkExtensions(ctx, conn, schema, version); err != nil {
		return nil, err
	}
	if o.Reset {
		if err := resetDatabase(ctx, conn, versionNum); err != nil {
			return nil, contract.WithReason(contract.ReasonSchemaApplyFailed, err)
		}
		ev.write(map[string]any{"event": "reset", "seconds": roundSeconds(time.Since(start).Seconds())})
	}
	start = time.Now()
	if err := applySchema(ctx, conn, schema, version, versionNum); err != nil {
		return nil, contract.WithReason(contract.ReasonSchemaApplyFailed, err)
	}
	ev.write(map[string]any{"event": "schema", "bytes": len(schema), "seconds": roundSeconds(time.Since(start).Seconds())})
	return connect(ctx, cfg)
}

// checkExtensions fails before anything is applied when the schema creates an extension the
// server does not have, naming it and an image that has it.
func checkExtensions(ctx context.Context, conn *pgx.Conn, schema, version string) error {
	required := contract.RequiredExtensions(schema)
	if len(required) == 0 {
		return nil
	}
	rows, err := conn.Query(ctx, "SELECT name FROM pg_available_extensions WHERE name = ANY($1)", required)
	if err != nil {
		return fmt.Errorf("listing the server's extensions: %w", err)
	}
	available, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("listing the server's extensions: %w", err)
	}
	var missing []string
	for _, e := range required {
		if !containsString(available, e) {
			missing = append(missing, e)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return contract.WithReason(contract.ReasonExtensionMissing, fmt.Errorf(
		"the schema needs the extension %s, which this server (PostgreSQL %s) does not have: run the database on an image "+
			"that has it (spec.data[].standIn.image, e.g. %s)", strings.Join(missing, ", "), version,
		contract.StandInImage(strings.Fields(version)[0], required)))
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// seed plans and loads every table, then verifies the result.
func seed(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn, spec contract.Spec, workers int, ev *events) (contract.Summary, error) {
	partitions, err := addMissingPartitions(ctx, conn)
	if err != nil {
		return contract.Summary{}, contract.WithReason(contract.ReasonLoadFailed, err)
	}
	for _, p := range partitions {
		ev.write(map[string]any{"event": "partitionCreated", "partition": p,
			"why": "the table has no partition in the schema (prod's application creates them): created in the copy only"})
	}
	p, stats, err := planSeed(ctx, conn, spec, ev)
	if err != nil {
		return contract.Summary{PartitionsCreated: partitions, PartitionsCreatedCount: len(partitions)}, err
	}
	summary := contract.Summary{Tables: len(p.Tables), Warnings: len(p.Warnings), PartitionsCreated: partitions,
		PartitionsCreatedCount: len(partitions)}
	if err := load.TruncateAll(ctx, conn, p); err != nil {
		return summary, contract.WithReason(contract.ReasonLoadFailed, err)
	}
	verifier, err := load.NewVerifier(ctx, conn, p)
	if err != nil {
		return summary, err
	}
	loadCtx, stopLoading := context.WithCancel(ctx)
	defer stopLoading()
	vf, err := startVerifying(ctx, cfg, verifier, workers, stopLoading)
	if err != nil {
		return summary, err
	}
	if err := loadTables(loadCtx, cfg, conn, p, workers, ev, &verifyingProgress{events: ev, vf: vf}, &summary); err != nil {
		if verr := vf.wait(); verr != nil {
			return summary, contract.WithReason(contract.ReasonVerificationFailed, verr) // it stopped the load
		}
		return summary, contract.WithReason(contract.ReasonLoadFailed, err)
	}
	start := time.Now()
	if err := vf.finish(verifier.RestChecks()); err != nil {
		return summary, contract.WithReason(contract.ReasonVerificationFailed, err)
	}
	// seconds: how long verification outlasted the load; checkSeconds: its work, mostly done
	// while tables loaded.
	ev.write(map[string]any{"event": "verified", "tables": len(p.Tables), "seconds": roundSeconds(time.Since(start).Seconds()),
		"checkSeconds": roundSeconds(vf.busy.Seconds())})
	if stats != nil {
		// Prod's statistics have served: the copy's schema is prod's again.
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+contract.PrivateSchema+" CASCADE"); err != nil {
			return summary, fmt.Errorf("dropping %s: %s", contract.PrivateSchema, load.DescribeError(err))
		}
	}
	return summary, nil
}

// planSeed reads the catalog and prod's statistics (when the schema Job left them) and plans.
func planSeed(ctx context.Context, conn *pgx.Conn, spec contract.Spec, ev *events) (*plan.Plan, *catalog.ProdStats, error) {
	cat, err := catalog.Read(ctx, conn)
	if err != nil {
		return nil, nil, err
	}
	stats, err := catalog.ReadProdStats(ctx, conn)
	if err != nil {
		return nil, nil, err
	}
	if stats == nil && spec.Scale > 0 {
		ev.write(map[string]any{"event": "warning", "message": "rows.scale is set but no statistics of prod were found " +
			"(they come with schema.fromDatabase): tables get the default row count"})
	}
	p, err := plan.Build(cat, spec, stats, oracle.New(ctx, conn))
	if err != nil {
		return nil, nil, contract.WithReason(contract.ReasonConstraintUnsatisfiable, err)
	}
	var planned int64
	for _, tp := range p.Tables {
		planned += tp.Rows
	}
	ev.write(map[string]any{"event": "plan", "tables": len(p.Tables), "rows": planned, "seed": spec.Seed, "specHash": spec.Hash()})
	for _, w := range p.Warnings {
		ev.write(map[string]any{"event": "warning", "message": w})
	}
	return p, stats, nil
}

// loadTables loads the tables over a pool of connections, sets the foreign keys deferred past a
// cycle and advances the sequences, recording rows and rates in the summary.
func loadTables(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn, p *plan.Plan, workers int, ev *events,
	progress load.Progress, summary *contract.Summary) error {
	conns := []*pgx.Conn{conn}
	for len(conns) < min(workers, max(len(p.Tables), 1)) {
		c, err := connect(ctx, cfg)
		if err != nil {
			closeAll(ctx, conns[1:])
			return err
		}
		conns = append(conns, c)
	}
	defer closeAll(ctx, conns[1:])
	deferredInline := true
	for _, c := range conns {
		deferredInline = deferredInline && triggersOff(ctx, c)
	}
	loadStart := time.Now()
	results, err := load.All(ctx, conns, p, deferredInline, progress)
	for _, r := range results {
		summary.Rows += r.Plan.Rows
		summary.PerTable = append(summary.PerTable, contract.TableSummary{Table: r.Plan.Table.QualifiedName(), Rows: r.Plan.Rows,
			ProdRows: r.Plan.ProdRows, Seconds: roundSeconds(r.Seconds)})
	}
	if err != nil {
		return err
	}
	if !deferredInline {
		if err := setDeferred(ctx, conn, p, ev); err != nil {
			return err
		}
	}
	if loadSeconds := time.Since(loadStart).Seconds(); loadSeconds > 0 {
		summary.RowsPerSecond = int64(float64(summary.Rows) / loadSeconds)
	}
	for _, tp := range p.Tables {
		if err := load.AdvanceSequences(ctx, conn, tp); err != nil {
			return err
		}
	}
	return nil
}

func setDeferred(ctx context.Context, conn *pgx.Conn, p *plan.Plan, ev *events) error {
	for _, tp := range p.Tables {
		for _, d := range tp.Deferred {
			start := time.Now()
			if err := load.SetDeferred(ctx, conn, tp, d); err != nil {
				return err
			}
			ev.write(map[string]any{"event": "deferredForeignKey", "table": tp.Table.QualifiedName(), "constraint": d.FK.Name,
				"rows": tp.Rows, "seconds": roundSeconds(time.Since(start).Seconds())})
		}
	}
	return nil
}
