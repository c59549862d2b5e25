//go:build realpods

package realpods

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

const seedTimeout = 10 * time.Minute

// The operator installed from dist/install.yaml with the locally built image, copying a prod
// whose database really runs. Each spec proves its point from outside the operator: by querying
// the databases and connecting from pods.
var _ = Describe("envmirror on real pods", Label("operator"), Ordered, ContinueOnFailure, func() {
	var (
		operatorPod           string
		prodA, prodB, envNS   string
		checksumsBefore       map[string]string
		dataEnv, isolationEnv = "data", "isolation"
	)

	BeforeAll(func() {
		operatorPod = installOperator()
		envNS = newNamespace("rp-envs")
		prodA = newNamespace("rp-prod")
		prodB = newNamespace("rp-prodb")
		// Prod A: the Data spec's (no policies); prod B: Online Boutique's policy set.
		loadProd(prodA)
		loadProd(prodB)
		apply(joinLines(prodApp(prodA, dbHost(prodA)), "---", mirrorSource(prodA, envNS)))
		apply(joinLines(prodApp(prodB, dbHost(prodB)), "---", onlineBoutiquePolicies(prodB), "---", mirrorSource(prodB, envNS)))
		mustKubectl("-n", prodA, "rollout", "status", "deployment/shop-api", "--timeout=2m")
		mustKubectl("-n", prodB, "rollout", "status", "deployment/shop-api", "--timeout=2m")
		checksumsBefore = prodChecksums(prodA, "db-0")
		apply(environment(envNS, dataEnv, prodA, dbHost(prodA), 200))
		apply(environment(envNS, isolationEnv, prodB, dbHost(prodB), 20))
		DeferCleanup(func() {
			_, _ = kubectl("-n", envNS, "delete", "mirrorenvironments", "--all", "--wait=false")
		})
	})

	It("Data: prod's schema through pg_dump, every table seeded as status says, constraints hold, prod untouched", func() {
		env := waitSeeded(envNS, dataEnv)
		target := env.Status.TargetNamespace
		db := env.Status.Data[0]
		user, password, dbname := standInCredentials(target, "orders-db")
		copySQL := func(sql string) string {
			GinkgoHelper()
			out, err := psqlIn(target, "orders-db-0", user, password, dbname, sql)
			Expect(err).NotTo(HaveOccurred())
			return out
		}
		prodSQL := func(sql string) string {
			GinkgoHelper()
			out, err := psqlIn(prodA, "db-0", prodDBUser, prodDBPassword, prodDBName, sql)
			Expect(err).NotTo(HaveOccurred())
			return out
		}

		By("the copy has prod's tables, partitions, constraints and indexes (the schema Job's pg_dump)")
		catalog := `SELECT string_agg(x, E'\n' ORDER BY x) FROM (
		  SELECT 'table ' || c.relname || ' ' || c.relkind::text FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r','p')
		  UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
		  UNION ALL SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public') s(x)`
		Expect(copySQL(catalog)).To(Equal(prodSQL(catalog)), func() string {
			b, _ := json.MarshalIndent(env.Status.Data, "", "  ")
			seedLog, _ := kubectl("-n", target, "logs", "-l", "app.kubernetes.io/name=envmirror-seed", "--tail=30")
			return fmt.Sprintf("status.data: %s\nseeding Job log:\n%s\noperator log:\n%s", b, seedLog, operatorLogs())
		})

		By("every table status reports has those rows in the copy, and the totals add up")
		Expect(db.Phase).To(Equal(v1alpha1.DataSeeded))
		Expect(db.Rows).To(BeNumerically(">", 0), "the seeding summary reaches status")
		Expect(db.Message).NotTo(ContainSubstring("unknown"))
		Expect(db.TablesSeeded).NotTo(BeEmpty())
		var sum int64
		for _, t := range db.TablesSeeded {
			n, err := strconv.ParseInt(copySQL("SELECT count(*) FROM "+t.Table), 10, 64)
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(t.Rows), "rows of %s", t.Table)
			sum += n
		}
		copied := 0
		for _, t := range []string{"accounts", "events", "invoices"} {
			n, _ := strconv.Atoi(copySQL("SELECT count(*) FROM " + t))
			Expect(n).To(BeNumerically(">", 0), "table %s was seeded", t)
			copied += n
		}
		Expect(db.Rows).To(Equal(int64(copied)), "status rows = the rows in the copy's tables")

		By("every constraint re-validates in the copy (each FK and CHECK dropped and re-added, each unique index rebuilt)")
		out := copySQL(revalidateSQL)
		Expect(out).To(MatchRegexp(`^revalidated [1-9][0-9]* constraints and [1-9][0-9]* unique indexes$`))

		By("prod's rows are byte-identical to before, and none of prod's values is in the copy")
		Expect(prodChecksums(prodA, "db-0")).To(Equal(checksumsBefore))
		prodEmails := strings.Fields(prodSQL("SELECT lower(email) FROM accounts"))
		copyEmails := strings.Fields(copySQL("SELECT lower(email) FROM accounts"))
		Expect(copyEmails).NotTo(ContainElements(prodEmails[0], prodEmails[len(prodEmails)-1]))
		Expect(intersect(prodEmails, copyEmails)).To(BeEmpty())
		Expect(copySQL("SELECT count(*) FROM invoices WHERE number LIKE 'INV-PROD-%'")).To(Equal("0"))
	})

	It("In-cluster operator: runs the local image, and its Jobs run the image it read from its own pod", func() {
		var pod corev1.Pod
		getJSON(Default, &pod, "-n", operatorNamespace, "get", "pod", operatorPod)
		own := pod.Spec.Containers[0].Image
		Expect(own).To(Equal(managerImage()))
		waitSeeded(envNS, dataEnv)
		env := getEnv(envNS, dataEnv)
		var jobs batchv1.JobList
		getJSON(Default, &jobs, "-n", env.Status.TargetNamespace, "get", "jobs", "-l", "app.kubernetes.io/name=envmirror-seed")
		Expect(jobs.Items).NotTo(BeEmpty())
		for _, j := range jobs.Items {
			Expect(j.Spec.Template.Spec.Containers[0].Image).To(Equal(own), "seed Job %s", j.Name)
			Expect(j.Status.Succeeded).To(BeNumerically(">=", 1), "seed Job %s ran", j.Name)
		}
	})

	It("Image identity: never pins to a digest a registry cannot serve, and says why an image is not pinned", func() {
		env := waitSeeded(envNS, dataEnv)
		var prodPods corev1.PodList
		getJSON(Default, &prodPods, "-n", prodA, "get", "pods", "-l", "app=shop-api")
		Expect(prodPods.Items).NotTo(BeEmpty())
		imageID := prodPods.Items[0].Status.ContainerStatuses[0].ImageID
		Expect(imageID).To(MatchRegexp(`^sha256:[0-9a-f]{64}$`), "a local runtime reports the bare config digest")
		var found bool
		for _, svc := range env.Status.Services {
			for _, c := range svc.Containers {
				if c.SourceImage != imageRef(busyboxName) {
					continue
				}
				found = true
				Expect(c.Image).NotTo(ContainSubstring(strings.TrimPrefix(imageID, "sha256:")),
					"%s/%s pinned to the config digest, which no registry serves", svc.Name, c.Name)
				if !c.Pinned {
					pinned := condition(env, "VersionsPinned")
					Expect(pinned).NotTo(BeNil())
					Expect(pinned.Message).To(ContainSubstring("Deployment/"+svc.Name+" container "+c.Name),
						"status says why %s/%s is not pinned", svc.Name, c.Name)
				}
			}
		}
		Expect(found).To(BeTrue(), "status lists the copied shop-api")
		mustKubectl("-n", env.Status.TargetNamespace, "rollout", "status", "deployment/shop-api", "--timeout=2m")
	})

	It("Pod Security: every pod the operator wrote started and meets restricted", func() {
		env := waitSeeded(envNS, dataEnv)
		target := env.Status.TargetNamespace
		var pods corev1.PodList
		getJSON(Default, &pods, "-n", target, "get", "pods", "-l", "app.kubernetes.io/managed-by=envmirror")
		Expect(pods.Items).NotTo(BeEmpty())
		for _, p := range pods.Items {
			Expect(p.Status.Phase).To(BeElementOf(corev1.PodRunning, corev1.PodSucceeded), "pod %s started", p.Name)
		}
		_, warnings, err := kubectlWarnings("label", "--dry-run=server", "--overwrite", "namespace", target,
			"pod-security.kubernetes.io/enforce=restricted")
		Expect(err).NotTo(HaveOccurred())
		Expect(warnings).NotTo(ContainSubstring("violate"), "pods of %s under restricted", target)
		Expect(mustKubectl("get", "namespace", operatorNamespace, "-o",
			`jsonpath={.metadata.labels.pod-security\.kubernetes\.io/enforce}`)).To(Equal("restricted"))
		var jobs batchv1.JobList
		getJSON(Default, &jobs, "-n", operatorNamespace, "get", "jobs", "-l", "envmirror.io/environment="+dataEnv)
		Expect(jobs.Items).NotTo(BeEmpty(), "the schema Job ran in the operator's restricted namespace")
		for _, j := range jobs.Items {
			Expect(j.Status.Succeeded).To(BeNumerically(">=", 1), "Job %s/%s", operatorNamespace, j.Name)
		}
	})

	It("Recreation: a deleted stand-in pod comes back Ready with its data, and the environment stays Ready", func() {
		env := waitSeeded(envNS, dataEnv)
		target := env.Status.TargetNamespace
		user, password, dbname := standInCredentials(target, "orders-db")
		count := func() string {
			out, err := psqlIn(target, "orders-db-0", user, password, dbname,
				"SELECT (SELECT count(*) FROM accounts) || '/' || (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM invoices)")
			Expect(err).NotTo(HaveOccurred())
			return out
		}
		before := count()
		uid := mustKubectl("-n", target, "get", "pod", "orders-db-0", "-o", "jsonpath={.metadata.uid}")
		mustKubectl("-n", target, "delete", "pods", "-l", "app.kubernetes.io/component=database-stand-in", "--wait=true")
		Eventually(func() string {
			out, _ := kubectl("-n", target, "get", "pod", "orders-db-0", "-o", "jsonpath={.metadata.uid}")
			return out
		}).WithTimeout(podTimeout).WithPolling(poll).ShouldNot(Or(BeEmpty(), Equal(uid)))
		waitPodReady(target, "orders-db-0", podTimeout)
		Expect(count()).To(Equal(before))
		waitEnvPhase(envNS, dataEnv, string(v1alpha1.PhaseReady), 5*time.Minute)
	})

	// Fails until the operator admits its own Jobs and the copy's pods to the stand-ins under
	// prod's copied deny-all (issue 18 §3, Isolation).
	It("Isolation: the copy cannot reach prod's database, yet its app, seeding and schema Jobs reach the stand-in under prod's own deny-all policies", func() {
		By("seeding completes: the schema Job and the seeding Job reached the stand-in through the copied deny-all")
		env := waitSeeded(envNS, isolationEnv)
		target := env.Status.TargetNamespace
		Expect(mustKubectl("-n", target, "get", "networkpolicy", "deny-all", "-o", "name")).To(Equal("networkpolicy.networking.k8s.io/deny-all"))
		mustKubectl("-n", target, "rollout", "status", "deployment/shop-api", "--timeout=2m")
		app := mustKubectl("-n", target, "get", "pods", "-l", "app=shop-api", "-o", "jsonpath={.items[0].metadata.name}")

		By("prod's own policy admits any shop-api pod: a control pod outside the copy reaches prod's database")
		control := newNamespace("rp-control")
		clientPod(control, "shop-api", "app: shop-api")
		Eventually(func() bool { return canConnect(control, "shop-api", dbHost(prodB), 5432) }).
			WithTimeout(time.Minute).WithPolling(2 * time.Second).Should(BeTrue())

		By("the copy's app cannot reach prod's database: the operator's isolation")
		Consistently(func() bool { return canConnect(target, app, dbHost(prodB), 5432) }).
			WithTimeout(12 * time.Second).WithPolling(4 * time.Second).Should(BeFalse())

		By("the copy's app reaches the stand-in that replaces it")
		Eventually(func() bool { return canConnect(target, app, "orders-db", 5432) }).
			WithTimeout(time.Minute).WithPolling(2 * time.Second).Should(BeTrue())
	})

	// A figure, not a timed assertion (issue 18 asks for it): from apply to Ready with 100k rows
	// really seeded, reported by the suite; the rows are counted in the copy.
	It("Volume: 100k rows seeded for real, and the time from apply to Ready reported", func() {
		const perTable = 34000 // three tables: accounts, events, invoices
		start := time.Now()
		apply(environment(envNS, "volume", prodA, dbHost(prodA), perTable))
		env := waitSeeded(envNS, "volume")
		Eventually(func() v1alpha1.Phase { return getEnv(envNS, "volume").Status.Phase }).
			WithTimeout(5 * time.Minute).WithPolling(time.Second).Should(Equal(v1alpha1.PhaseReady))
		took := time.Since(start)
		db := getEnv(envNS, "volume").Status.Data[0]
		user, password, dbname := standInCredentials(env.Status.TargetNamespace, "orders-db")
		var counted int64
		for _, t := range db.TablesSeeded {
			out, err := psqlIn(env.Status.TargetNamespace, "orders-db-0", user, password, dbname, "SELECT count(*) FROM "+t.Table)
			Expect(err).NotTo(HaveOccurred())
			n, err := strconv.ParseInt(out, 10, 64)
			Expect(err).NotTo(HaveOccurred())
			counted += n
		}
		Expect(counted).To(Equal(db.Rows))
		Expect(counted).To(BeNumerically(">=", 100000))
		figure := fmt.Sprintf("apply to Ready with %d rows seeded in the copy: %s (seeding %s, %d rows/s; load %s)",
			counted, took.Round(time.Second), db.Duration, db.RowsPerSecond, loadAverage())
		AddReportEntry("volume", figure)
		fmt.Fprintln(GinkgoWriter, figure)
	})
})

// revalidateSQL drops and re-adds every FK and CHECK constraint of the public schema (adding one
// checks every row) and rebuilds every unique index, inside a transaction it rolls back; it
// reports how many it checked.
const revalidateSQL = `BEGIN;
CREATE TEMP TABLE revalidated (kind text);
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
           FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
           WHERE c.contype IN ('c', 'f') AND c.connamespace = 'public'::regnamespace
             AND NOT t.relispartition AND c.conparentid = 0 LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl, r.conname, r.def);
    INSERT INTO revalidated VALUES ('constraint');
  END LOOP;
  FOR r IN SELECT i.indexrelid::regclass AS idx FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
           WHERE i.indisunique AND x.relkind = 'i' AND x.relnamespace = 'public'::regnamespace LOOP
    EXECUTE format('REINDEX INDEX %s', r.idx);
    INSERT INTO revalidated VALUES ('index');
  END LOOP;
END $$;
SELECT 'revalidated ' || count(*) FILTER (WHERE kind = 'constraint') || ' constraints and '
  || count(*) FILTER (WHERE kind = 'index') || ' unique indexes' FROM revalidated;
ROLLBACK;`

// getEnv reads a MirrorEnvironment.
func getEnv(ns, name string) *v1alpha1.MirrorEnvironment {
	GinkgoHelper()
	env := &v1alpha1.MirrorEnvironment{}
	out := mustKubectl("-n", ns, "get", "mirrorenvironment", name, "-o", "json")
	Expect(json.Unmarshal([]byte(out), env)).To(Succeed())
	return env
}

// waitSeeded waits until the environment's database is Seeded, failing early when it failed.
func waitSeeded(ns, name string) *v1alpha1.MirrorEnvironment {
	GinkgoHelper()
	deadline := time.Now().Add(seedTimeout)
	for {
		env := getEnv(ns, name)
		if len(env.Status.Data) > 0 && env.Status.Data[0].Phase == v1alpha1.DataSeeded {
			return env
		}
		if time.Now().After(deadline) || (len(env.Status.Data) > 0 && env.Status.Data[0].Phase == v1alpha1.DataFailed) {
			b, _ := json.MarshalIndent(env.Status, "", "  ")
			jobs, _ := kubectl("get", "jobs,pods", "-A", "-l", "app.kubernetes.io/managed-by=envmirror", "-o", "wide")
			schemaLog, _ := kubectl("-n", operatorNamespace, "logs", "-l", "envmirror.io/environment="+name, "--tail=20", "--prefix")
			seedLog, _ := kubectl("-n", env.Status.TargetNamespace, "logs", "-l", "app.kubernetes.io/name=envmirror-seed", "--tail=20", "--prefix")
			Fail(fmt.Sprintf("%s/%s: the database is not Seeded (waited up to %s):\n%s\n%s\nschema Job log:\n%s\nseeding Job log:\n%s\noperator log:\n%s",
				ns, name, seedTimeout, b, jobs, schemaLog, seedLog, operatorLogs()))
		}
		time.Sleep(3 * time.Second)
	}
}

// condition returns an environment's condition of a type.
func condition(env *v1alpha1.MirrorEnvironment, t string) *metav1.Condition {
	for i := range env.Status.Conditions {
		if env.Status.Conditions[i].Type == t {
			return &env.Status.Conditions[i]
		}
	}
	return nil
}

func intersect(a, b []string) []string {
	set := map[string]bool{}
	for _, x := range a {
		set[x] = true
	}
	var out []string
	for _, x := range b {
		if set[x] {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// loadAverage is the machine's load, for figures printed beside it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
