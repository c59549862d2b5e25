package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// dataPlan is the copy's databases: the stand-ins' objects, the schema ConfigMaps, and for each
// database what it should hold.
type dataPlan struct {
	objects   []client.Object
	databases []*dbPlan
}

// dbPlan is one database's desired data.
type dbPlan struct {
	spec *v1alpha1.DatabaseSpec
	// hash identifies the data this database should hold: the seeding spec, the schema and the
	// engine. It names the seeding Job, so a change reseeds from scratch.
	hash     string
	specJSON string
	// schemaSQL: the schema comes from a ConfigMap, mounted into the seeding Job.
	schemaSQL bool
	// problem stalls this database only (its schema ConfigMap is missing, say).
	problem *stalled
	// waiting: its stand-in waits for the probe of prod's database (data_probe.go).
	waiting bool
}

// planData plans every database of spec.data.
func planData(in planInput, d *desired, b *mirror.Builder) dataPlan {
	s, env := in.scope, in.env
	p := dataPlan{objects: d.standIns.Objects(b)}
	for i := range env.Spec.Data {
		spec := &env.Spec.Data[i]
		db := &dbPlan{spec: spec}
		p.databases = append(p.databases, db)
		schemaKey := "existing"
		switch {
		case spec.Schema == nil:
		case spec.Schema.ConfigMapRef != nil:
			sql, ok := s.inputs.schemas[spec.Name]
			if !ok {
				db.problem = &stalled{condition: v1alpha1.ConditionSeeded, reason: v1alpha1.ReasonDataInvalid, message: s.inputs.schemaProblems[spec.Name]}
				continue
			}
			p.objects = append(p.objects, b.SchemaConfigMap(spec, sql))
			db.schemaSQL = true
			schemaKey = "sql:" + shortHash(sql)
		default:
			ref := spec.Schema.FromDatabase.SecretRef
			schemaKey = "from:" + ref.Name + "/" + ref.Key
		}
		image := ""
		if spec.StandIn != nil {
			ds, known := d.standIns.Database(spec)
			if !known {
				db.waiting = true // for the probe of prod's database: nothing to seed yet
				continue
			}
			if ds.Problem != "" {
				db.problem = &stalled{condition: v1alpha1.ConditionSeeded, reason: v1alpha1.ReasonDataInvalid, message: ds.Problem}
				continue
			}
			if len(ds.Unavailable) > 0 && spec.StandIn.Image == "" {
				db.problem = &stalled{condition: v1alpha1.ConditionSeeded, reason: contract.ReasonExtensionMissing,
					message: ds.Note}
				continue
			}
			image = ds.Image
		}
		db.hash, db.specJSON = dataHash(env, spec, schemaKey, image)
	}
	return p
}

// dataHash identifies what a database should hold, and the seeding spec as the Job reads it.
// image is the stand-in's image (its engine version), empty for a copied workload's database.
func dataHash(env *v1alpha1.MirrorEnvironment, d *v1alpha1.DatabaseSpec, schemaKey, image string) (string, string) {
	seedFrom := env.Spec.Branch
	if seedFrom == "" {
		seedFrom = env.Name
	}
	spec := mirror.SeedSpec(*d, mirror.DefaultSeed(seedFrom))
	specJSON, _ := json.Marshal(spec) // a Spec holds only strings and numbers
	return shortHash(spec.Hash() + "|" + schemaKey + "|" + image), string(specJSON)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:10]
}
