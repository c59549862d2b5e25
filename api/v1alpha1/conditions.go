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
	// ConditionDependenciesReady: every dependency stand-in runs prod's version and is ready,
	// and no backing service prod uses is left without a stand-in.
	ConditionDependenciesReady = "DependenciesReady"
	// ConditionDrifted: the copy differs from what prod implies now (see status.parity.drifted).
	ConditionDrifted = "Drifted"
	// ConditionReconciling (kstatus): the operator is working towards the spec.
	ConditionReconciling = "Reconciling"
	// ConditionStalled (kstatus): the operator cannot make progress until the spec or an input
	// it watches changes; the reason and message say what to change.
	ConditionStalled = "Stalled"
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

	// Admission-independent spec problems and multi-tenancy.
	ReasonSpecInvalid         = "SpecInvalid"
	ReasonSourceNotGranted    = "SourceNotGranted"
	ReasonSourceForbidden     = "SourceForbidden"
	ReasonKeepNotGranted      = "KeepNotGranted"
	ReasonNameCollision       = "NameCollision"
	ReasonAccessRoleForbidden = "AccessRoleNotAllowed"
	ReasonExpiryTooFar        = "ExpiryTooFar"
	ReasonTTLCapped           = "TTLCapped"

	// Source errors, classified: a remote response body is never shown.
	ReasonSourceTLS          = "SourceTLSError"
	ReasonSourceUnauthorized = "SourceUnauthorized"

	// Work in progress and waiting.
	ReasonProgressing = "Progressing"
	ReasonWaiting     = "Waiting"
	ReasonSucceeded   = "Succeeded"
	ReasonStalled     = "Stalled"

	// Drift.
	ReasonFrozen  = "Frozen"
	ReasonFollows = "Follows"

	// Dependencies.
	ReasonNoDependencies      = "NoDependencies"
	ReasonDependenciesMissing = "DependenciesMissing"
	ReasonVersionMismatch     = "VersionMismatch"
	ReasonProbeFailed         = "ProbeFailed"
	ReasonDependencyNotReady  = "DependencyNotReady"
	ReasonDependenciesReady   = "DependenciesReady"
)

// Partial knowledge.
const (
	// ReasonSourcePartiallyRead: some of prod could not be read completely in the last
	// reconcile (a kind's list failed, an API group's discovery failed). The copy keeps what it
	// has of it and nothing made from it is pruned; the condition is Unknown until a read
	// succeeds.
	ReasonSourcePartiallyRead = "SourcePartiallyRead"
)
