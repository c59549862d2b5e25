package v1alpha1

// Condition types reported on a MirrorEnvironment.
const (
	// ConditionReady summarises the others: the copy is usable.
	ConditionReady = "Ready"
	// ConditionProvisioned: the target namespace and the copies of prod's objects exist.
	ConditionProvisioned = "Provisioned"
	// ConditionVersionsPinned: every image runs the digest prod runs.
	ConditionVersionsPinned = "VersionsPinned"
	// ConditionConfigScrubbed: ConfigMaps and Secrets were copied without prod secret values.
	ConditionConfigScrubbed = "ConfigScrubbed"
	// ConditionIsolated: the copy cannot reach prod over the network.
	ConditionIsolated = "Isolated"
	// ConditionSeeded: every database has its schema and data.
	ConditionSeeded = "Seeded"
	// ConditionDrifted: prod changed since the copy was made.
	ConditionDrifted = "Drifted"
)

// Condition reasons. CamelCase, stable: tools may match on them.
const (
	ReasonReconciling          = "Reconciling"
	ReasonReady                = "Ready"
	ReasonNotReady             = "NotReady"
	ReasonNamespaceCreated     = "NamespaceCreated"
	ReasonNamespaceNotOwned    = "NamespaceNotOwned"
	ReasonNamespaceTerminating = "NamespaceTerminating"
	ReasonSourceUnreachable    = "SourceUnreachable"
	ReasonSourceInvalid        = "SourceInvalid"
	ReasonSourceNotFound       = "SourceNotFound"
	ReasonCopied               = "Copied"
	ReasonApplyFailed          = "ApplyFailed"
	ReasonOverrideNotFound     = "OverrideNotFound"
	ReasonPinned               = "Pinned"
	ReasonPartiallyPinned      = "PartiallyPinned"
	ReasonUnpinnedImages       = "UnpinnedImages"
	ReasonPinningDisabled      = "PinningDisabled"
	ReasonScrubbed             = "Scrubbed"
	ReasonConfigInvalid        = "ConfigInvalid"
	ReasonIsolated             = "Isolated"
	ReasonIsolationDisabled    = "IsolationDisabled"
	ReasonNoDatabases          = "NoDatabases"
	ReasonSeeding              = "Seeding"
	ReasonSeeded               = "Seeded"
	ReasonSeedFailed           = "SeedFailed"
	ReasonDataInvalid          = "DataInvalid"
	ReasonNoDrift              = "NoDrift"
	ReasonProdChanged          = "ProdChanged"
	ReasonExpired              = "Expired"
	ReasonDeleting             = "Deleting"
)
