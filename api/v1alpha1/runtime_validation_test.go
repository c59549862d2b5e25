package v1alpha1_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// What the runtime contracts (stand-in versions read from prod, CA bundles for probes) accept
// and refuse at admission.
var _ = DescribeTable("runtime contracts at admission",
	func(spec, refusal string) {
		err := apply(spec)
		if refusal == "" {
			Expect(err).NotTo(HaveOccurred(), "the API server refused:\n%s", spec)
			return
		}
		Expect(err).To(HaveOccurred(), "the API server accepted:\n%s", spec)
		Expect(err.Error()).To(ContainSubstring(refusal))
	},
	Entry("a stand-in without a version and no prod to read it from",
		"  source: {namespace: shop}\n  data: [{name: db, standIn: {}}]\n",
		"standIn.version is required unless schema.fromDatabase is set"),
	Entry("a stand-in without a version, with a ConfigMap schema",
		"  source: {namespace: shop}\n  data: [{name: db, standIn: {}, schema: {configMapRef: {name: s}}}]\n",
		"standIn.version is required unless schema.fromDatabase is set"),
	Entry("a stand-in that runs prod's version",
		"  source: {namespace: shop}\n  data: [{name: db, standIn: {}, schema: {fromDatabase: {secretRef: {name: prod-dsn}}}}]\n", ""),
	Entry("a probe with prod's CA bundle",
		"  source: {namespace: shop}\n  dependencies: [{name: db, engine: mysql, versionFrom: {secretRef: {name: rds-url}, caSecretRef: {name: rds-ca, key: global-bundle.pem}}}]\n", ""),
	Entry("a CA bundle without a Secret name",
		"  source: {namespace: shop}\n  dependencies: [{name: db, engine: mysql, versionFrom: {secretRef: {name: rds-url}, caSecretRef: {key: ca.pem}}}]\n",
		"spec.dependencies[0].versionFrom.caSecretRef.name: Required value"),
	Entry("a stand-in with a version and a schema from prod",
		"  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}, schema: {fromDatabase: {secretRef: {name: prod-dsn}}}}]\n", ""),
)
