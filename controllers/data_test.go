package controllers_test

import (
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

const schemaSQL = `CREATE TABLE public.customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES public.customers(id));`

// seedJobs lists the seeding Jobs of a database in the copy.
func seedJobs(ns, db string) []batchv1.Job {
	jobs := &batchv1.JobList{}
	Expect(k8s.List(ctx, jobs, client.InNamespace(ns), client.MatchingLabels{"envmirror.io/database": db})).To(Succeed())
	return jobs.Items
}

// finishJob plays the Job controller and kubelet: the Job's pod ends with the seeding summary
// (or an error) in its termination message, and the Job is marked complete (or failed).
func finishJob(job *batchv1.Job, summary contract.Summary, ok bool) {
	// As the Job controller makes it: the template's labels plus job-name.
	labels := map[string]string{"job-name": job.Name}
	for k, v := range job.Spec.Template.Labels {
		labels[k] = v
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: job.Namespace, Name: job.Name + "-x", Labels: labels},
		Spec: *job.Spec.Template.Spec.DeepCopy()}
	Expect(k8s.Create(ctx, pod)).To(Succeed())
	exit := int32(0)
	phase := corev1.PodSucceeded
	if !ok {
		exit, phase = 1, corev1.PodFailed
	}
	pod.Status = corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{{Name: "seed", Image: job.Spec.Template.Spec.Containers[0].Image,
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: exit, Message: string(summary.Compact())}}}}}
	Expect(k8s.Status().Update(ctx, pod)).To(Succeed())

	now := metav1.Now()
	job.Status.StartTime = &now
	if ok {
		job.Status.Succeeded = 1
		job.Status.CompletionTime = &now
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
		}
	} else {
		job.Status.Failed = 3
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"},
		}
	}
	Expect(k8s.Status().Update(ctx, job)).To(Succeed())
}

func markStandInReady(ns, name string) {
	sts := copyOf(ns, name, &appsv1.StatefulSet{})
	sts.Status = appsv1.StatefulSetStatus{ObservedGeneration: sts.Generation, Replicas: 1, ReadyReplicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1}
	Expect(k8s.Status().Update(ctx, sts)).To(Succeed())
}

func dataStatus(env *v1alpha1.MirrorEnvironment, name string) v1alpha1.DatabaseStatus {
	for _, d := range getEnv(env).Status.Data {
		if d.Name == name {
			return d
		}
	}
	return v1alpha1.DatabaseStatus{}
}

var _ = Describe("data parity", Ordered, func() {
	var (
		devNS, prodNS, target string
		env                   *v1alpha1.MirrorEnvironment
	)

	BeforeAll(func() {
		devNS, prodNS = unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
		// prod reaches its managed database through an ExternalName Service of the same name.
		Expect(k8s.Create(ctx, &corev1.Service{ObjectMeta: meta(prodNS, "orders-db", nil), Spec: corev1.ServiceSpec{
			Type: corev1.ServiceTypeExternalName, ExternalName: "orders.prod.rds.example.com"}})).To(Succeed())
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: meta(prodNS, "app-env", nil),
			Data: map[string][]byte{"DATABASE_URL": []byte("postgres://app:CANARY-rds-password@orders.prod.rds.example.com/orders")}})).To(Succeed())
		Expect(k8s.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "orders-schema"},
			Data: map[string]string{"schema.sql": schemaSQL}})).To(Succeed())
		env = newEnv(devNS, "data", prodNS)
		env.Spec.Config.Secrets.Rules = []v1alpha1.SecretRule{{Secret: "app-env", Key: "DATABASE_URL",
			Template: `postgres://app:{{ secret "orders-db" "password" }}@orders-db:5432/app`}}
		env.Spec.Data = []v1alpha1.DatabaseSpec{{
			Name: "orders-db", Engine: v1alpha1.DatabasePostgres,
			StandIn: &v1alpha1.StandInSpec{Version: "16.4"},
			Schema:  &v1alpha1.SchemaSource{ConfigMapRef: &v1alpha1.ConfigMapKeyRef{Name: "orders-schema"}},
			Rows:    v1alpha1.RowsSpec{Default: ptr.To[int64](1000), Tables: map[string]int64{"orders": 5000}},
		}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target = prodNS + "-data"
	})

	It("creates the stand-in in place of prod's name for the database, and waits for it", func() {
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "orders-db"}, &appsv1.StatefulSet{})
		}, 20*time.Second).Should(Succeed())
		sts := copyOf(target, "orders-db", &appsv1.StatefulSet{})
		Expect(sts.Spec.Template.Spec.Containers[0].Image).To(Equal("postgres:16.4"))
		svc := copyOf(target, "orders-db", &corev1.Service{})
		Expect(svc.Spec.Type).To(Equal(corev1.ServiceTypeClusterIP), "the stand-in's Service replaces prod's ExternalName")
		Expect(svc.Spec.Selector).To(Equal(sts.Spec.Selector.MatchLabels))
		creds := copyOf(target, "orders-db-credentials", &corev1.Secret{})
		Expect(creds.Data).To(HaveKeyWithValue("username", []byte("app")))
		Expect(creds.Data["password"]).To(HaveLen(32))
		Expect(string(creds.Data["uri"])).To(HavePrefix("postgres://app:"))
		Expect(copyOf(target, "orders-db-schema", &corev1.ConfigMap{}).Data["schema.sql"]).To(Equal(schemaSQL))
		app := copyOf(target, "app-env", &corev1.Secret{})
		Expect(string(app.Data["DATABASE_URL"])).To(Equal("postgres://app:"+string(creds.Data["password"])+"@orders-db:5432/app"),
			"the app's templated URL agrees with the stand-in's generated password")

		Eventually(func() v1alpha1.DataPhase { return dataStatus(env, "orders-db").Phase }, 10*time.Second).Should(Equal(v1alpha1.DataProvisioning))
		Consistently(func() []batchv1.Job { return seedJobs(target, "orders-db") }, 2*time.Second).Should(BeEmpty(),
			"no seeding before the database is ready")
		c := condition(env, v1alpha1.ConditionSeeded)
		Expect(c.Reason).To(Equal(v1alpha1.ReasonSeeding))
		Expect(c.Message).To(ContainSubstring("waiting for the stand-in postgres 16.4"))
		Expect(getEnv(env).Status.Phase).To(Equal(v1alpha1.PhaseSeeding))
	})

	It("starts one seeding Job once the database is ready", func() {
		markStandInReady(target, "orders-db")
		Eventually(func() []batchv1.Job { return seedJobs(target, "orders-db") }, 20*time.Second).Should(HaveLen(1))
		job := seedJobs(target, "orders-db")[0]
		Expect(job.Name).To(HavePrefix("orders-db-seed-"))
		c := job.Spec.Template.Spec.Containers[0]
		Expect(c.Image).To(Equal("envmirror/manager:test"))
		Expect(c.Args).To(ContainElements("seed", "--reset", "--schema-file=/schema/schema.sql", "--summary-file=/dev/termination-log"))
		envs := map[string]corev1.EnvVar{}
		for _, e := range c.Env {
			envs[e.Name] = e
		}
		Expect(envs["PGHOST"].Value).To(Equal("orders-db"))
		Expect(envs["PGPASSWORD"].ValueFrom.SecretKeyRef.Name).To(Equal("orders-db-credentials"))
		var spec contract.Spec
		Expect(json.Unmarshal([]byte(envs[contract.SpecEnv].Value), &spec)).To(Succeed())
		Expect(spec.DefaultRows).To(Equal(int64(1000)))
		Expect(spec.Tables).To(HaveKeyWithValue("orders", int64(5000)))
		Expect(spec.Seed).To(Equal(mirror.DefaultSeed("feature/data")), "the seed derives from the branch")
		Eventually(func() v1alpha1.DataPhase { return dataStatus(env, "orders-db").Phase }, 10*time.Second).Should(Equal(v1alpha1.DataSeeding))
		Expect(dataStatus(env, "orders-db").Job).To(Equal(job.Name))
	})

	It("reports the seeding result and becomes Ready", func() {
		job := seedJobs(target, "orders-db")[0]
		finishJob(&job, contract.Summary{Tables: 2, Rows: 6000, DurationSeconds: 0.8, RowsPerSecond: 7500,
			PartitionsCreated: []string{"public.events_default of public.events (DEFAULT)"}, PartitionsCreatedCount: 1}, true)
		Eventually(func() v1alpha1.DataPhase { return dataStatus(env, "orders-db").Phase }, 20*time.Second).Should(Equal(v1alpha1.DataSeeded))
		st := dataStatus(env, "orders-db")
		Expect(st.PartitionsCreated).To(Equal([]string{"public.events_default of public.events (DEFAULT)"}))
		Expect(st.PartitionsCreatedCount).To(Equal(int32(1)))
		Expect(st.Rows).To(Equal(int64(6000)))
		Expect(st.Tables).To(Equal(int32(2)))
		Expect(st.RowsPerSecond).To(Equal(int64(7500)))
		Expect(st.SeededAt).NotTo(BeNil())
		c := eventuallyCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionTrue, v1alpha1.ReasonSeeded)
		Expect(c.Message).To(ContainSubstring("orders-db (6000 rows in 2 tables"))
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
	})

	It("never seeds a seeded database again for the same spec", func() {
		job := seedJobs(target, "orders-db")[0]
		Expect(k8s.Delete(ctx, &job, client.PropagationPolicy(metav1.DeletePropagationBackground))).To(Succeed())
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Annotations = map[string]string{"poke": "1"} })
		Consistently(func() []batchv1.Job { return seedJobs(target, "orders-db") }, 3*time.Second).Should(BeEmpty())
		Expect(dataStatus(env, "orders-db").Phase).To(Equal(v1alpha1.DataSeeded))
	})

	It("reseeds from scratch with a new Job when the data spec changes, and reports failures", func() {
		old := dataStatus(env, "orders-db").Job
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.Data[0].Rows.Tables["orders"] = 9000 })
		Eventually(func() []batchv1.Job { return seedJobs(target, "orders-db") }, 20*time.Second).Should(HaveLen(1))
		job := seedJobs(target, "orders-db")[0]
		Expect(job.Name).NotTo(Equal(old))
		Expect(job.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--reset"))

		finishJob(&job, contract.Summary{Error: `table public.orders column customer_id: insert or update violates foreign key constraint "orders_customer_id_fkey"`}, false)
		c := eventuallyCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionFalse, v1alpha1.ReasonSeedFailed)
		Expect(c.Message).To(ContainSubstring("public.orders column customer_id"))
		Expect(c.Message).To(ContainSubstring("orders_customer_id_fkey"))
		Expect(c.Message).To(ContainSubstring("kubectl logs -n " + target + " job/" + job.Name))
		Expect(getEnv(env).Status.Phase).To(Equal(v1alpha1.PhaseDegraded))
	})

	It("says so when the schema ConfigMap is missing", func() {
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Data[0].Schema.ConfigMapRef.Name = "no-such-schema"
		})
		c := eventuallyCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionFalse, v1alpha1.ReasonDataInvalid)
		Expect(c.Message).To(ContainSubstring("schema ConfigMap " + devNS + "/no-such-schema does not exist"))
	})
})

var _ = Describe("a schema read from prod's database", func() {
	It("copies it with a Job in the operator's namespace; prod's DSN never enters the copy", func() {
		prodDSN := "postgres://readonly:CANARY-prod-dsn-password@orders.prod.rds.example.com:5432/orders"
		devNS, prodNS := grantedWithDSN("orders-prod-dsn", prodDSN)
		env := newEnv(devNS, "fromdb", prodNS)
		env.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "orders-db", Engine: v1alpha1.DatabasePostgres,
			StandIn: &v1alpha1.StandInSpec{Version: "15"},
			Schema:  &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "orders-prod-dsn"}}},
			Rows:    v1alpha1.RowsSpec{Default: ptr.To[int64](10)}}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-fromdb"

		// First prod's version and extensions are read, read-only, by a probe Job in the
		// operator's namespace; the stand-in waits for it.
		probe := eventuallyDatabaseProbe(env)
		Eventually(func() string { return dataStatus(env, "orders-db").Message }, 10*time.Second).
			Should(ContainSubstring("reading prod's PostgreSQL version and extensions"))
		Expect(string(copyOf(operatorNamespace, probe.Name, &corev1.Secret{}).Data["SOURCE_URL"])).To(Equal(prodDSN))
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "orders-db"}, &appsv1.StatefulSet{})).NotTo(Succeed())
		finishProbe(&probe, deps.Summary{Engine: "postgres", Version: "15.8"}, true)

		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "orders-db"}, &appsv1.StatefulSet{})
		}, 20*time.Second).Should(Succeed())
		markStandInReady(target, "orders-db")

		var schemaJob batchv1.Job
		Eventually(func(g Gomega) {
			jobs := &batchv1.JobList{}
			g.Expect(k8s.List(ctx, jobs, client.InNamespace(operatorNamespace), client.MatchingLabels{
				mirror.LabelEnvironmentUID: string(getEnv(env).UID), mirror.LabelComponent: mirror.ComponentData})).To(Succeed())
			g.Expect(jobs.Items).To(HaveLen(1))
			schemaJob = jobs.Items[0]
		}, 20*time.Second).Should(Succeed())
		Expect(schemaJob.Spec.Template.Spec.Containers[0].Image).To(Equal("postgres:15"))
		Expect(schemaJob.Spec.Template.Spec.Containers[0].Command[2]).To(ContainSubstring("pg_dump --schema-only"))
		dsn := copyOf(operatorNamespace, schemaJob.Name, &corev1.Secret{})
		Expect(string(dsn.Data["SOURCE_DSN"])).To(Equal(prodDSN))
		Expect(string(dsn.Data["TARGET_DSN"])).To(ContainSubstring("@orders-db." + target + ".svc:5432/app"))
		Eventually(func() v1alpha1.DataPhase { return dataStatus(env, "orders-db").Phase }, 10*time.Second).Should(Equal(v1alpha1.DataApplyingSchema))
		Expect(seedJobs(target, "orders-db")).To(BeEmpty(), "seeding waits for the schema")

		// The schema is in: the DSN Secret goes, the seeding Job (without a schema file) starts.
		finishJob(&schemaJob, contract.Summary{}, true)
		Eventually(func() []batchv1.Job { return seedJobs(target, "orders-db") }, 20*time.Second).Should(HaveLen(1))
		args := seedJobs(target, "orders-db")[0].Spec.Template.Spec.Containers[0].Args
		Expect(strings.Join(args, " ")).NotTo(ContainSubstring("--schema-file"))
		Expect(args).To(ContainElement("--schema-from-database"), "seeding refuses a copy that lacks one of prod's tables")
		Eventually(gone(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: schemaJob.Name}}), 10*time.Second).Should(BeTrue())
		Expect(scanNamespace(target, []string{"CANARY-prod-dsn-password"})).To(BeEmpty())

		// The probe's record stays, its copy of prod's DSN does not.
		Eventually(gone(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: probe.Name}}), 10*time.Second).Should(BeTrue())

		// Deleting the environment removes what it left in the operator's namespace.
		Expect(k8s.Delete(ctx, env)).To(Succeed())
		Eventually(gone(&schemaJob), 20*time.Second).Should(BeTrue())
		Eventually(gone(&probe), 20*time.Second).Should(BeTrue())
	})

	It("runs a failed probe or schema copy of prod's database again by itself, without waiting for the Secret to change", func() {
		devNS, prodNS := grantedWithDSN("late-dsn", "postgres://readonly:pw@late.prod.example.com/orders")
		env := newEnv(devNS, "late", prodNS)
		env.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "orders-db", Engine: v1alpha1.DatabasePostgres, StandIn: &v1alpha1.StandInSpec{},
			Schema: &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "late-dsn"}}}}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-late"

		By("prod's database refuses the first probe (still starting, say): the environment waits, it does not stall")
		first := eventuallyDatabaseProbe(env)
		finishProbe(&first, deps.Summary{Engine: "postgres", Error: "dial tcp 10.96.66.49:5432: connect: connection refused"}, false)
		Eventually(func() string { return dataStatus(env, "orders-db").Message }, 10*time.Second).
			Should(ContainSubstring("or as soon as the Secret late-dsn changes"))
		Expect(condition(getEnv(env), v1alpha1.ConditionStalled).Status).NotTo(Equal(metav1.ConditionTrue),
			"a failed probe that runs again by itself is not a stall")
		Expect(dataStatus(env, "orders-db")).To(And(HaveField("Phase", v1alpha1.DataProvisioning), HaveField("Reason", v1alpha1.ReasonProbeFailed)),
			"not Failed, which ends every wait on it, yet the reason says what failed")

		By("the probe runs again by itself, and its success brings the stand-in")
		Eventually(func() types.UID {
			jobs := probeJobs(env)
			if len(jobs) != 1 {
				return ""
			}
			return jobs[0].UID
		}, 20*time.Second).ShouldNot(Or(BeEmpty(), Equal(first.UID)), "a new probe Job after the retry delay")
		// There is no garbage collector here: remove the first Job's pods as it would.
		Expect(k8s.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(operatorNamespace), client.MatchingLabels{"job-name": first.Name})).To(Succeed())
		second := eventuallyDatabaseProbe(env)
		finishProbe(&second, deps.Summary{Engine: "postgres", Version: "16.4"}, true)
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "orders-db"}, &appsv1.StatefulSet{})
		}, 20*time.Second).Should(Succeed())
		markStandInReady(target, "orders-db")

		By("the schema copy fails too (prod restarting): it runs again by itself as well")
		schemaJob := func() batchv1.Job {
			jobs := &batchv1.JobList{}
			Expect(k8s.List(ctx, jobs, client.InNamespace(operatorNamespace), client.MatchingLabels{
				mirror.LabelEnvironmentUID: string(getEnv(env).UID), mirror.LabelComponent: mirror.ComponentData})).To(Succeed())
			if len(jobs.Items) != 1 {
				return batchv1.Job{}
			}
			return jobs.Items[0]
		}
		Eventually(func() types.UID { return schemaJob().UID }, 20*time.Second).ShouldNot(BeEmpty())
		failed := schemaJob()
		finishJob(&failed, contract.Summary{}, false)
		Eventually(func() string { return dataStatus(env, "orders-db").Message }, 10*time.Second).Should(ContainSubstring("copying again at"))
		Expect(dataStatus(env, "orders-db").Phase).To(Equal(v1alpha1.DataApplyingSchema))
		Eventually(func() types.UID { return schemaJob().UID }, 20*time.Second).ShouldNot(Or(BeEmpty(), Equal(failed.UID)),
			"a new schema Job after the retry delay")
		Expect(k8s.Delete(ctx, env)).To(Succeed())
	})

	It("runs prod's PostgreSQL version on an image with prod's extensions, and reports a pinned version that differs", func() {
		devNS, prodNS := grantedWithDSN("geo-dsn", "postgres://readonly:pw@geo.prod.example.com/geo")
		env := newEnv(devNS, "geo", prodNS)
		fromProd := &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "geo-dsn"}}}
		env.Spec.Data = []v1alpha1.DatabaseSpec{
			{Name: "geo-db", Engine: v1alpha1.DatabasePostgres, StandIn: &v1alpha1.StandInSpec{}, Schema: fromProd},
			{Name: "pinned-db", Engine: v1alpha1.DatabasePostgres, StandIn: &v1alpha1.StandInSpec{Version: "16.2"}, Schema: fromProd},
		}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-geo"
		for _, name := range []string{"geo-db", "pinned-db"} {
			probe := eventuallyDatabaseProbeOf(env, name)
			finishProbe(&probe, deps.Summary{Engine: "postgres", Version: "16.4",
				Extensions: []contract.Extension{{Name: "plpgsql", Version: "1.0"}, {Name: "postgis", Version: "3.4.2"}}}, true)
		}
		image := func(name string) string {
			sts := &appsv1.StatefulSet{}
			if err := k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: name}, sts); err != nil {
				return ""
			}
			return sts.Spec.Template.Spec.Containers[0].Image
		}
		Eventually(func() string { return image("geo-db") }, 20*time.Second).Should(Equal("postgis/postgis:16-3.4"))
		Eventually(func() string { return image("pinned-db") }, 20*time.Second).Should(HavePrefix("postgis/postgis:16"))
		c := eventuallyCondition(env, v1alpha1.ConditionVersionsPinned, metav1.ConditionFalse, v1alpha1.ReasonVersionMismatch)
		Expect(c.Message).To(ContainSubstring("spec.data[pinned-db].standIn.version runs PostgreSQL 16.2, prod runs 16.4"))
		Expect(c.Message).NotTo(ContainSubstring("geo-db"), "the stand-in that runs prod's version matches it")
	})
})

// grantedWithDSN makes a dev namespace and a prod namespace that grants it, with a DSN Secret
// of prod's database in the dev namespace.
func grantedWithDSN(secret, dsn string) (devNS, prodNS string) {
	GinkgoHelper()
	devNS, prodNS = unique("dev"), unique("prod")
	createNamespace(devNS, nil)
	createNamespace(prodNS, nil)
	grantMirroring(prodNS)
	Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: secret},
		Data: map[string][]byte{"dsn": []byte(dsn)}})).To(Succeed())
	return devNS, prodNS
}

// eventuallyDatabaseProbe waits for the probe Job of an environment's only database.
func eventuallyDatabaseProbe(env *v1alpha1.MirrorEnvironment) batchv1.Job {
	GinkgoHelper()
	return eventuallyDatabaseProbeOf(env, env.Spec.Data[0].Name)
}

// eventuallyDatabaseProbeOf waits for the probe Job of prod's database behind a spec.data entry.
func eventuallyDatabaseProbeOf(env *v1alpha1.MirrorEnvironment, db string) batchv1.Job {
	GinkgoHelper()
	var job batchv1.Job
	Eventually(func(g Gomega) {
		jobs := &batchv1.JobList{}
		g.Expect(k8s.List(ctx, jobs, client.InNamespace(operatorNamespace), client.MatchingLabels{
			mirror.LabelEnvironmentUID: string(getEnv(env).UID), mirror.LabelDatabase: db})).To(Succeed())
		g.Expect(jobs.Items).To(HaveLen(1))
		job = jobs.Items[0]
	}, 20*time.Second).Should(Succeed())
	return job
}
