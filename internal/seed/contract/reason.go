package contract

import "errors"

// Reasons say in one CamelCase word why a seeding run failed (Summary.Reason), so the operator
// can map it to a condition reason without reading the message.
const (
	// ReasonInvalidSpec: the spec names a table or column the database does not have, or is
	// malformed.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonDatabaseUnavailable: the database did not accept connections in time, or refused the
	// credentials.
	ReasonDatabaseUnavailable = "DatabaseUnavailable"
	// ReasonExtensionMissing: the schema needs an extension the server does not have; the
	// message names it and the stand-in image that has it.
	ReasonExtensionMissing = "ExtensionMissing"
	// ReasonSchemaApplyFailed: the schema did not apply (often: written for a newer server).
	ReasonSchemaApplyFailed = "SchemaApplyFailed"
	// ReasonSchemaIncomplete: the database has fewer tables than the schema source (the SQL of
	// --schema-file, or prod's tables the schema Job listed): the schema did not arrive whole,
	// e.g. a pg_dump that failed halfway. The message names the missing tables.
	ReasonSchemaIncomplete = "SchemaIncomplete"
	// ReasonConstraintUnsatisfiable: the schema's constraints cannot be met by generated rows
	// (a NOT NULL foreign key cycle, a CHECK that allows nothing, an empty parent).
	ReasonConstraintUnsatisfiable = "ConstraintUnsatisfiable"
	// ReasonRowCountTooLarge: a unique key cannot hold as many distinct rows as were asked.
	ReasonRowCountTooLarge = "RowCountTooLarge"
	// ReasonLoadFailed: writing the rows failed.
	ReasonLoadFailed = "LoadFailed"
	// ReasonVerificationFailed: after loading, a constraint of the catalog does not hold.
	ReasonVerificationFailed = "VerificationFailed"
	// ReasonSeedFailed: any other failure.
	ReasonSeedFailed = "SeedFailed"
)

// ReasonError is an error with its Reason.
type ReasonError struct {
	Reason string
	Err    error
}

func (e *ReasonError) Error() string { return e.Err.Error() }
func (e *ReasonError) Unwrap() error { return e.Err }

// WithReason gives err a reason unless it already has one (the innermost reason wins).
func WithReason(reason string, err error) error {
	if err == nil {
		return nil
	}
	var re *ReasonError
	if errors.As(err, &re) {
		return err
	}
	return &ReasonError{Reason: reason, Err: err}
}

// ReasonOf returns err's reason: ReasonSeedFailed when it has none, "" for nil.
func ReasonOf(err error) string {
	if err == nil {
		return ""
	}
	var re *ReasonError
	if errors.As(err, &re) {
		return re.Reason
	}
	return ReasonSeedFailed
}
