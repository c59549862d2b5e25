// Package copywriter holds only the RBAC markers of the copy-writer ClusterRole
// (config/rbac/copywriter/role.yaml). The operator binds it to itself in each target namespace
// it creates, and nowhere else: it is everything the operator may write, and only there.
//
// Roles and RoleBindings copied from prod may grant what the operator itself does not hold, so
// escalate and bind are allowed here; they are confined to the copy's namespace like the rest.
//
// +kubebuilder:rbac:groups=apps,resources=deployments;statefulsets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=batch,resources=cronjobs;jobs,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups="",resources=services;serviceaccounts;configmaps;secrets;persistentvolumeclaims,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses;networkpolicies,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles,verbs=get;list;watch;create;patch;delete;escalate;bind
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=rolebindings,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=bind
//
// A prod Certificate is copied as one for the copy's hosts when a ClusterIssuer may serve it.
//
// +kubebuilder:rbac:groups=cert-manager.io,resources=certificates,verbs=get;list;watch;create;patch;delete
package copywriter
