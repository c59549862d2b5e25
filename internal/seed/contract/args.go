package contract

import (
	"strconv"
	"time"
)

// Subcommand is the manager's subcommand that seeds a database.
const Subcommand = "seed"

// The flags of `manager seed`.
const (
	FlagDSN         = "dsn"
	FlagSpecFile    = "spec-file"
	FlagSchemaFile  = "schema-file"
	FlagReset       = "reset"
	FlagSummaryFile = "summary-file"
	FlagWaitTimeout = "wait-timeout"
	FlagWorkers     = "workers"
	// FlagSchemaFromDatabase says the schema was copied from prod by the schema Job
	// (schema.fromDatabase): seeding then requires the list of prod's tables the Job leaves
	// (ProdTablesTable) and refuses a database that lacks any of them.
	FlagSchemaFromDatabase = "schema-from-database"
)

// TerminationLog is where Kubernetes reads a container's termination message: the seeding Job
// writes its compact Summary there.
const TerminationLog = "/dev/termination-log"

// Invocation is how the operator asks a Job to seed; zero fields are left to the defaults.
type Invocation struct {
	// SchemaFile is the SQL to apply first (pg_dump --schema-only output).
	SchemaFile string
	// Reset drops every non-system schema before applying SchemaFile.
	Reset bool
	// SummaryFile receives the compact Summary (TerminationLog in a Job).
	SummaryFile string
	// WaitTimeout is how long to wait for the database to accept connections.
	WaitTimeout time.Duration
	// Workers is how many tables load in parallel.
	Workers int
	// SchemaFromDatabase is set when the schema Job copied prod's schema (FlagSchemaFromDatabase).
	SchemaFromDatabase bool
	// Engine is EnginePostgres (the default, "" too) or EngineMySQL (MySQL and MariaDB).
	Engine string
}

// Args is the command line of a seeding Job's container after the binary: the subcommand, then
// the flags. The connection comes from the libpq environment variables and the Spec from SpecEnv.
func Args(in Invocation) []string {
	args := []string{Subcommand}
	flag := func(name, value string) { args = append(args, "--"+name+"="+value) }
	if in.Engine != "" && in.Engine != EnginePostgres {
		flag(FlagEngine, in.Engine)
	}
	if in.WaitTimeout > 0 {
		flag(FlagWaitTimeout, in.WaitTimeout.String())
	}
	if in.SummaryFile != "" {
		flag(FlagSummaryFile, in.SummaryFile)
	}
	if in.Reset {
		args = append(args, "--"+FlagReset)
	}
	if in.SchemaFile != "" {
		flag(FlagSchemaFile, in.SchemaFile)
	}
	if in.SchemaFromDatabase {
		args = append(args, "--"+FlagSchemaFromDatabase)
	}
	if in.Workers > 0 {
		flag(FlagWorkers, strconv.Itoa(in.Workers))
	}
	return args
}
