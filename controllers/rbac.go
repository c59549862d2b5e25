package controllers

// The operator's own ClusterRole (config/rbac/role.yaml, generated from these markers). It
// reads prod and everything it mirrors, everywhere; it writes only what it must cluster-wide:
// namespaces it creates (and deletes, after checking they are its own), the one RoleBinding per
// target namespace that grants it the copy-writer role there, events, and its own API objects.
// Every write of a copy happens through that binding, so the API server itself refuses a write
// outside the target namespaces — prod included.
//
// +kubebuilder:rbac:groups=envmirror.io,resources=mirrorenvironments,verbs=get;list;watch;patch;delete
// +kubebuilder:rbac:groups=envmirror.io,resources=mirrorsources,verbs=get;list;watch
// +kubebuilder:rbac:groups=envmirror.io,resources=mirrorenvironments/status,verbs=get;patch;update
// +kubebuilder:rbac:groups=envmirror.io,resources=mirrorenvironments/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch;create;delete
// +kubebuilder:rbac:groups="",resources=pods;services;serviceaccounts;configmaps;secrets;persistentvolumeclaims,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps,resources=deployments;statefulsets;daemonsets,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=cronjobs;jobs,verbs=get;list;watch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses;networkpolicies,verbs=get;list;watch
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings,verbs=get;list;watch
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=rolebindings,verbs=create
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=bind,resourceNames=envmirror-copy-writer
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=selfsubjectreviews,verbs=create
//
// The metrics endpoint authenticates and authorizes its callers through the API server.
//
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
//
// Prod's other kinds: the census lists metadata, the conversions watch whole objects, and a
// copied Certificate needs a ClusterIssuer of the copy's cluster. Other kinds are reported as
// not listable until an administrator grants list (and, for a kind a Copy rule copies, watch)
// on them. The metadata of CRDs and APIServices is watched so that a cluster's discovery is
// read again when its API changes, not for each new environment.
//
// +kubebuilder:rbac:groups=argoproj.io,resources=rollouts,verbs=list;watch
// +kubebuilder:rbac:groups=external-secrets.io,resources=externalsecrets,verbs=list;watch
// +kubebuilder:rbac:groups=cert-manager.io,resources=certificates,verbs=list;watch
// +kubebuilder:rbac:groups=cert-manager.io,resources=clusterissuers,verbs=list
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=list;watch
// +kubebuilder:rbac:groups=apiregistration.k8s.io,resources=apiservices,verbs=list;watch
// +kubebuilder:rbac:groups=keda.sh,resources=scaledobjects;scaledjobs,verbs=list
// +kubebuilder:rbac:groups=autoscaling,resources=horizontalpodautoscalers,verbs=list
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=list
//
// Kubernetes' own namespaced kinds that no other rule grants are listable out of the box, so that
// the census of a default install is complete and status does not ask every user to grant them
// (their objects are mostly owned bookkeeping, which the census leaves out once it can see it).
//
// +kubebuilder:rbac:groups="",resources=limitranges;resourcequotas;podtemplates;replicationcontrollers,verbs=list
// +kubebuilder:rbac:groups=apps,resources=replicasets;controllerrevisions,verbs=list
// +kubebuilder:rbac:groups=storage.k8s.io,resources=csistoragecapacities,verbs=list
// +kubebuilder:rbac:groups=resource.k8s.io,resources=resourceclaims;resourceclaimtemplates,verbs=list
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=podcertificaterequests,verbs=list
//
// In the operator's own namespace: the schema Jobs that read prod's database, and the Secret
// that hands them the prod DSN (it never enters a copy's namespace).
//
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=create;patch;delete,namespace=envmirror-system
// +kubebuilder:rbac:groups="",resources=secrets,verbs=create;patch;delete,namespace=envmirror-system
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch,namespace=envmirror-system
