package v1alpha1

// ConfigSpec controls how configuration is copied.
type ConfigSpec struct {
	// Secrets controls the values of copied Secrets. Prod values are never copied unless a rule
	// says Keep for that key.
	// +optional
	// +kubebuilder:default={}
	Secrets SecretsSpec `json:"secrets,omitempty"`

	// Rewrite replaces prod hostnames and URLs in ConfigMap values, env values and args with the
	// copy's. References to the source namespace's services are rewritten without a rule.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Rewrite []RewriteRule `json:"rewrite,omitempty"`

	// KeepPlain lists plain (non-Secret) values whose key looks sensitive (password, token, ...)
	// that may be copied as they are. Without a rule such values are replaced by generated ones.
	// +optional
	// +kubebuilder:validation:MaxItems=200
	KeepPlain []PlainValueRule `json:"keepPlain,omitempty"`

	// PlainValues says how plain (non-Secret) configuration values are treated. Scrub (default):
	// values that are or hold credentials (by their key, their place in a file, their shape, or
	// because they equal a prod Secret's value) are replaced. Strict: every value that is not
	// proven harmless (numbers, booleans, durations, hostnames and URLs without credentials,
	// paths, enum-like words) is replaced; status.config counts what was replaced per ConfigMap.
	// +optional
	// +kubebuilder:default=Scrub
	PlainValues PlainValuesPolicy `json:"plainValues,omitempty"`
}

// PlainValuesPolicy says how plain configuration values are scrubbed.
// +kubebuilder:validation:Enum=Scrub;Strict
type PlainValuesPolicy string

const (
	// PlainValuesScrub replaces the values that are or hold credentials.
	PlainValuesScrub PlainValuesPolicy = "Scrub"
	// PlainValuesStrict replaces every value not proven harmless.
	PlainValuesStrict PlainValuesPolicy = "Strict"
)

// SecretPolicy says where a copied Secret key's value comes from.
// +kubebuilder:validation:Enum=Generate;FromSecret;Template;Keep
type SecretPolicy string

const (
	// SecretGenerate fills the key with a strong random value, stable for the environment's life.
	SecretGenerate SecretPolicy = "Generate"
	// SecretFromSecret takes the value from a Secret in the MirrorEnvironment's namespace.
	SecretFromSecret SecretPolicy = "FromSecret"
	// SecretTemplate renders a Go template over the copy's other values.
	SecretTemplate SecretPolicy = "Template"
	// SecretKeep copies prod's value. Only by explicit per-key rule; reported in status.
	SecretKeep SecretPolicy = "Keep"
)

// SecretsSpec sets the policy for copied Secret values.
type SecretsSpec struct {
	// Default is the policy for keys no rule names. Only Generate is allowed: prod values are
	// copied by explicit per-key opt-in only.
	// +optional
	// +kubebuilder:default=Generate
	// +kubebuilder:validation:XValidation:rule="self == 'Generate'",message="the default secret policy can only be Generate: prod values are copied by explicit per-key Keep rules only"
	Default SecretPolicy `json:"default,omitempty"`

	// Rules set the policy of individual Secrets or keys.
	// +optional
	// +kubebuilder:validation:MaxItems=200
	Rules []SecretRule `json:"rules,omitempty"`

	// PullSecretRef names a kubernetes.io/dockerconfigjson Secret in the MirrorEnvironment's
	// namespace whose value every copied pull secret gets. Unset: copied pull secrets hold an
	// empty docker config (prod registry credentials are not copied unless a rule says Keep).
	// Stand-ins that run an image of the spec (spec.data[].standIn.image,
	// spec.dependencies[].image) pull it with these credentials too, and so does the schema
	// Job, which runs the stand-in's image in the operator's namespace.
	// +optional
	PullSecretRef *LocalObjectReference `json:"pullSecretRef,omitempty"`
}

// SecretRule sets the policy for one key of a prod Secret (or all its keys, when key is unset).
// Policy is inferred from template or fromSecret when not given.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.template) && has(self.fromSecret))",message="a rule sets at most one of template and fromSecret"
// +kubebuilder:validation:XValidation:rule="has(self.template) ? (!has(self.policy) || self.policy == 'Template') : (!has(self.policy) || self.policy != 'Template')",message="policy Template needs a template, and a template needs policy Template (or no policy)"
// +kubebuilder:validation:XValidation:rule="has(self.fromSecret) ? (!has(self.policy) || self.policy == 'FromSecret') : (!has(self.policy) || self.policy != 'FromSecret')",message="policy FromSecret needs fromSecret, and fromSecret needs policy FromSecret (or no policy)"
// +kubebuilder:validation:XValidation:rule="has(self.policy) || has(self.template) || has(self.fromSecret)",message="a rule needs a policy, a template or fromSecret"
// +kubebuilder:validation:XValidation:rule="has(self.key) || !has(self.template)",message="a template rule names a key"
type SecretRule struct {
	// Secret is the name of the prod Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Secret string `json:"secret"`

	// Key in the Secret; unset means every key.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key,omitempty"`

	// Policy: Generate, FromSecret, Template or Keep. Inferred from template / fromSecret.
	// +optional
	Policy SecretPolicy `json:"policy,omitempty"`

	// Template is a Go template; `{{ secret "name" "key" }}` is the copy's value of that key and
	// `{{ .Namespace }}`, `{{ .Branch }}` and `{{ .Environment }}` describe the copy.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Template string `json:"template,omitempty"`

	// FromSecret takes the value from a Secret in the MirrorEnvironment's namespace; key defaults
	// to the rule's key.
	// +optional
	FromSecret *SecretKeyRef `json:"fromSecret,omitempty"`
}

// RewriteRule replaces a literal prod hostname or URL with the copy's.
type RewriteRule struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	From string `json:"from"`
	// +required
	// +kubebuilder:validation:MaxLength=1024
	To string `json:"to"`
}

// PlainValueRule allows one plain value with a sensitive-looking key to be copied as is.
//
// +kubebuilder:validation:XValidation:rule="has(self.configMap) != has(self.workload)",message="a keepPlain rule names exactly one of configMap and workload"
type PlainValueRule struct {
	// ConfigMap is the name of a prod ConfigMap.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	ConfigMap string `json:"configMap,omitempty"`
	// Workload is the name of a prod workload whose containers set the env var.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Workload string `json:"workload,omitempty"`
	// Key is the ConfigMap key, env var name or label key; "key#path" keeps one value inside a document
	// (app.yaml#features.partner_ref), "args[N]" one container argument. status.config.uncertain
	// names the rule for each value the scrubber was unsure about.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}
